"""What must hold after any interleaving of writers and scans, checked over every row."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count

from commitments.choices import OPEN_STATUSES
from commitments.models import Commitment, StatusChange
from commitments.selectors import tracker_today
from tracker.choices import AlertKind
from tracker.models import Alert


def assert_flags_match_statuses_and_deadlines() -> None:
    """The overdue invariant, over every commitment: flagged if and only if its status is open
    and its deadline's last day has passed, since the day after that last day."""
    today = tracker_today()
    for commitment in Commitment.objects.all():
        expected = (
            commitment.status in OPEN_STATUSES
            and commitment.deadline_last_day is not None
            and commitment.deadline_last_day < today
        )
        assert commitment.is_overdue == expected, (commitment.pk, commitment.status)
        assert commitment.overdue_since == (
            commitment.deadline_last_day + dt.timedelta(days=1) if expected else None
        )


def assert_no_alert_twice_and_none_missing() -> None:
    """One overdue alert per flagged deadline, at most one per (commitment, kind, deadline),
    and exactly one status_changed alert per recorded status change."""
    repeated = (
        Alert.objects.filter(kind__in=[AlertKind.OVERDUE, AlertKind.DUE_SOON])
        .values("commitment_id", "kind", "last_day")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not repeated.exists(), list(repeated)
    for commitment in Commitment.objects.filter(is_overdue=True):
        assert Alert.objects.filter(
            commitment=commitment, kind=AlertKind.OVERDUE, last_day=commitment.deadline_last_day
        ).exists(), f"flagged {commitment.pk} has no overdue alert"
    alerted = Alert.objects.filter(kind=AlertKind.STATUS_CHANGED)
    assert sorted(alerted.values_list("status_change_id", flat=True)) == sorted(
        StatusChange.objects.values_list("id", flat=True)
    )
