"""Reads of commitments. Views, exports and feeds start from `commitments_visible_to`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from commitments.models import Commitment, DeadlineChange, StatusChange


def tracker_today() -> date:
    """Today's date where the tracker is: deadlines end at midnight in TRACKER_TIME_ZONE."""
    return timezone.now().astimezone(ZoneInfo(settings.TRACKER_TIME_ZONE)).date()


def user_sees_drafts(user) -> bool:
    return bool(user and user.is_authenticated and user.is_staff)


def commitments_visible_to(user) -> QuerySet[Commitment]:
    """Staff see drafts; everyone else (anonymous or a non-staff token) published only."""
    queryset = Commitment.objects.all()
    if not user_sees_drafts(user):
        queryset = queryset.filter(is_published=True)
    return queryset


@dataclass(frozen=True)
class HistoryEntry:
    kind: str  # "status" or "deadline"
    recorded_at: datetime
    change: StatusChange | DeadlineChange


def commitment_history(*, commitment: Commitment) -> list[HistoryEntry]:
    """Status and deadline changes, oldest first, each with its evidence and source loaded."""
    statuses = (
        StatusChange.objects.filter(commitment=commitment)
        .select_related("evidence__source", "recorded_by")
        .order_by("recorded_at", "id")
    )
    deadlines = (
        DeadlineChange.objects.filter(commitment=commitment)
        .select_related("evidence__source", "recorded_by")
        .order_by("recorded_at", "id")
    )
    entries = [HistoryEntry("status", c.recorded_at, c) for c in statuses] + [
        HistoryEntry("deadline", c.recorded_at, c) for c in deadlines
    ]
    return sorted(entries, key=lambda entry: (entry.recorded_at, entry.change.version))
