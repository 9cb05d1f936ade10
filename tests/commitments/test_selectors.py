"""Reads of commitments: who sees what, the public history, and the tracker's today."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser

from commitments.choices import Status
from commitments.selectors import commitment_history, commitments_visible_to, tracker_today
from commitments.services import commitment_change_deadline, commitment_record_status_change
from tests.factories import make_commitment

pytestmark = pytest.mark.django_db

APPROVED = "Officials said the programme was approved by the Cabinet."
FORUM = "It also proposed to hold a regional forum in Ashgabat in November 2024."


@pytest.mark.parametrize(
    ("utc", "today"),
    [
        (datetime(2025, 1, 1, 18, 59, tzinfo=UTC), date(2025, 1, 1)),  # 23:59 in Ashgabat
        (datetime(2025, 1, 1, 19, 0, tzinfo=UTC), date(2025, 1, 2)),  # midnight in Ashgabat
    ],
)
def test_today_is_taken_in_the_trackers_time_zone(utc, today):
    with time_machine.travel(utc, tick=False):
        assert tracker_today() == today


@pytest.fixture
def draft_and_published(source):
    return (
        make_commitment(source=source, is_published=False),
        make_commitment(source=source, is_published=True),
    )


def test_drafts_are_hidden_from_anonymous_readers(draft_and_published):
    _, published = draft_and_published

    assert list(commitments_visible_to(AnonymousUser())) == [published]
    assert list(commitments_visible_to(None)) == [published]


def test_drafts_are_hidden_from_readers_who_are_not_staff(draft_and_published, reader_user):
    _, published = draft_and_published

    assert list(commitments_visible_to(reader_user)) == [published]


def test_drafts_are_visible_to_staff(draft_and_published, staff_user):
    draft, published = draft_and_published

    assert list(commitments_visible_to(staff_user)) == [draft, published]


def _status(commitment, source, status, effective_on):
    return commitment_record_status_change(
        commitment=commitment,
        status=status,
        effective_on=effective_on,
        source=source,
        quote=APPROVED,
    )


def _deadline(commitment, source, deadline, effective_on):
    return commitment_change_deadline(
        commitment=commitment,
        deadline=deadline,
        reason="Moved.",
        effective_on=effective_on,
        source=source,
        quote=FORUM,
    )


def test_the_history_lists_status_and_deadline_changes_oldest_first(commitment, source):
    start = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        first = _status(commitment, source, Status.ADOPTED, date(2025, 2, 1))
        clock.shift(timedelta(hours=1))
        second = _deadline(commitment, source, "2026", date(2025, 2, 15))
        clock.shift(timedelta(hours=1))
        third = _status(commitment, source, Status.IN_PROGRESS, date(2025, 2, 20))

    history = commitment_history(commitment=commitment)

    assert [(entry.kind, entry.change) for entry in history] == [
        ("status", first),
        ("deadline", second),
        ("status", third),
    ]
    assert [entry.recorded_at for entry in history] == [
        start,
        start + timedelta(hours=1),
        start + timedelta(hours=2),
    ]


def test_changes_recorded_at_the_same_instant_are_ordered_by_version(commitment, source):
    with time_machine.travel(datetime(2025, 3, 1, 9, 0, tzinfo=UTC), tick=False):
        first = _deadline(commitment, source, "2026", date(2025, 2, 15))
        second = _status(commitment, source, Status.ADOPTED, date(2025, 2, 1))
        third = _deadline(commitment, source, "2027", date(2025, 2, 20))

    history = commitment_history(commitment=commitment)

    assert [entry.change for entry in history] == [first, second, third]
    assert [entry.change.version for entry in history] == [2, 3, 4]


def test_the_history_loads_its_evidence_without_further_queries(
    commitment, source, django_assert_num_queries
):
    with time_machine.travel(datetime(2025, 3, 1, 9, 0, tzinfo=UTC)):
        _status(commitment, source, Status.ADOPTED, date(2025, 2, 1))
        _deadline(commitment, source, "2026", date(2025, 2, 15))

    with django_assert_num_queries(3):
        history = commitment_history(commitment=commitment)
        titles = [entry.change.evidence.source.title for entry in history]

    assert titles == [source.title, source.title]


def test_the_history_of_one_commitment_leaves_out_the_others(commitment, source):
    other = make_commitment(source=source)
    with time_machine.travel(datetime(2025, 3, 1, 9, 0, tzinfo=UTC)):
        mine = _status(commitment, source, Status.ADOPTED, date(2025, 2, 1))
        _status(other, source, Status.ADOPTED, date(2025, 2, 1))

    assert [entry.change for entry in commitment_history(commitment=commitment)] == [mine]
