"""The deadline scan: overdue and due-soon, with the clock stopped, in Ashgabat's time zone."""

import datetime as dt

import pytest
from django.db import IntegrityError, connections, transaction

from commitments.models import Commitment
from tracker.choices import AlertKind
from tracker.models import Alert
from tracker.services import SCAN_LOCK_KEY, deadlines_scan

from .helpers import ASHGABAT, due, move_deadline, record_status

pytestmark = pytest.mark.django_db

NOV_30 = dt.date(2024, 11, 30)
DEC_1 = dt.date(2024, 12, 1)


def alerts_of(commitment) -> list[tuple[str, dt.date | None]]:
    return list(
        Alert.objects.filter(commitment=commitment).order_by("id").values_list("kind", "last_day")
    )


def test_an_item_due_in_november_2024_is_not_overdue_on_november_30(clock):
    commitment = due("2024-11")
    clock(NOV_30)

    summary = deadlines_scan()

    commitment.refresh_from_db()
    assert summary.today == NOV_30
    assert not commitment.is_overdue
    assert commitment.overdue_since is None
    assert (AlertKind.OVERDUE, NOV_30) not in alerts_of(commitment)


def test_an_item_due_in_november_2024_is_overdue_on_december_1_with_one_alert(clock):
    commitment = due("in November 2024")
    clock(DEC_1)

    summary = deadlines_scan()

    commitment.refresh_from_db()
    assert commitment.is_overdue
    assert commitment.overdue_since == DEC_1
    assert summary.became_overdue == [commitment.pk]
    assert alerts_of(commitment) == [(AlertKind.OVERDUE, NOV_30)]


@pytest.mark.parametrize(
    ("utc_moment", "overdue"),
    [
        # 23:59:59 on 30 November in Ashgabat (UTC+5): the deadline's last day is not over.
        (dt.datetime(2024, 11, 30, 18, 59, 59, tzinfo=dt.UTC), False),
        # 00:00 on 1 December in Ashgabat, while it is still 30 November in UTC.
        (dt.datetime(2024, 11, 30, 19, 0, 0, tzinfo=dt.UTC), True),
        (dt.datetime(2024, 11, 30, 20, 0, 0, tzinfo=dt.UTC), True),
    ],
)
def test_today_is_the_date_in_ashgabat_not_in_utc(clock, utc_moment, overdue):
    commitment = due("2024-11")
    clock(utc_moment)

    summary = deadlines_scan()

    commitment.refresh_from_db()
    assert summary.today == utc_moment.astimezone(ASHGABAT).date()
    assert commitment.is_overdue is overdue


@pytest.mark.parametrize("final_status", ["completed", "partially_completed", "abandoned"])
def test_a_final_status_clears_the_flag(clock, final_status):
    commitment = due("2024-11")
    clock(DEC_1)
    deadlines_scan()

    record_status(commitment, final_status, on=DEC_1)
    summary = deadlines_scan()

    commitment.refresh_from_db()
    assert summary.no_longer_overdue == [commitment.pk]
    assert not commitment.is_overdue
    assert commitment.overdue_since is None


def test_reopening_a_completed_commitment_flags_it_again_without_a_second_overdue_alert(clock):
    commitment = due("2024-11")
    clock(DEC_1)
    deadlines_scan()
    record_status(commitment, "completed", on=DEC_1)
    deadlines_scan()

    record_status(commitment, "in_progress", on=DEC_1)
    summary = deadlines_scan()

    commitment.refresh_from_db()
    assert commitment.is_overdue
    assert summary.became_overdue == [commitment.pk]
    assert summary.alerts_created == 0  # the deadline is the same: it was alerted once
    assert [kind for kind, _ in alerts_of(commitment)].count(AlertKind.OVERDUE) == 1


def test_moving_the_deadline_later_clears_the_flag(clock):
    commitment = due("2024-11")
    clock(DEC_1)
    deadlines_scan()

    move_deadline(commitment, "2025", on=DEC_1)

    # The change itself clears the flag, in its transaction; the scan finds nothing to do.
    commitment.refresh_from_db()
    assert not commitment.is_overdue
    assert commitment.overdue_since is None
    assert deadlines_scan().no_longer_overdue == []


def test_removing_the_deadline_clears_the_flag(clock):
    commitment = due("2024-11")
    clock(DEC_1)
    deadlines_scan()

    move_deadline(commitment, None, on=DEC_1)
    deadlines_scan()

    commitment.refresh_from_db()
    assert not commitment.is_overdue


def test_moving_a_past_deadline_to_another_past_date_alerts_for_the_new_deadline(clock):
    commitment = due("2024-11")
    clock(dt.date(2025, 3, 1))
    deadlines_scan()

    move_deadline(commitment, "2025-01", on=dt.date(2025, 3, 1))
    deadlines_scan()

    commitment.refresh_from_db()
    assert commitment.overdue_since == dt.date(2025, 2, 1)
    assert alerts_of(commitment) == [
        (AlertKind.OVERDUE, NOV_30),
        (AlertKind.OVERDUE, dt.date(2025, 1, 31)),
    ]


def test_a_second_scan_changes_nothing_and_makes_no_new_alert(clock):
    overdue = due("2024-11")
    due_soon = due("2024-12")
    clock(DEC_1)
    first = deadlines_scan()
    versions = dict(Commitment.objects.values_list("id", "version"))

    second = deadlines_scan()

    assert first.alerts_created == 2
    assert second.alerts_created == 0
    assert not second.changed
    assert Alert.objects.count() == 2
    # The conditional UPDATEs did not touch a row: no version was bumped.
    assert dict(Commitment.objects.values_list("id", "version")) == versions
    assert alerts_of(overdue) == [(AlertKind.OVERDUE, NOV_30)]
    assert alerts_of(due_soon) == [(AlertKind.DUE_SOON, dt.date(2024, 12, 31))]


@pytest.mark.parametrize(
    ("deadline", "due_soon"),
    [
        ("2024-11-30", True),  # ends today: due, not yet overdue
        ("2024-12-30", True),  # the 30th day from today
        ("2024-12", False),  # ends on 31 December: the 31st day
        ("2024-11-29", False),  # already over: overdue, not due soon
    ],
)
def test_due_soon_means_the_deadline_ends_within_30_days(clock, deadline, due_soon):
    commitment = due(deadline)
    clock(NOV_30)

    summary = deadlines_scan()

    assert (summary.due_soon == [commitment.pk]) is due_soon
    assert any(kind == AlertKind.DUE_SOON for kind, _ in alerts_of(commitment)) is due_soon


def test_the_due_soon_window_is_configurable(clock, settings):
    settings.TRACKER_DUE_SOON_DAYS = 5
    near, far = due("2024-12-05"), due("2024-12-06")
    clock(NOV_30)

    summary = deadlines_scan()

    assert summary.due_soon == [near.pk]
    assert alerts_of(far) == []


def test_a_final_or_undated_commitment_is_never_due_soon_nor_overdue(clock):
    done = due("2024-12", status="completed")
    undated = due(None)
    clock(dt.date(2025, 6, 1))

    summary = deadlines_scan()

    assert summary.became_overdue == [] and summary.due_soon == []
    assert alerts_of(done) == alerts_of(undated) == []


def test_drafts_are_scanned_too(clock):
    draft = due("2024-11", is_published=False)
    clock(DEC_1)

    deadlines_scan()

    draft.refresh_from_db()
    assert draft.is_overdue
    assert alerts_of(draft) == [(AlertKind.OVERDUE, NOV_30)]


def test_a_scan_of_some_commitments_leaves_the_others_alone(clock):
    mine, other = due("2024-11"), due("2024-11")
    clock(DEC_1)

    summary = deadlines_scan(commitment_ids=[mine.pk])

    other.refresh_from_db()
    assert summary.became_overdue == [mine.pk]
    assert not other.is_overdue
    assert alerts_of(other) == []


def test_a_scan_that_fails_half_way_leaves_nothing_half_done(clock, monkeypatch):
    commitment = due("2024-11")
    clock(DEC_1)
    version = commitment.version

    def insert_fails(**kwargs):
        raise RuntimeError("the worker died after flagging, before alerting")

    # The flags are updated; then the alert insert fails, as a killed worker would.
    monkeypatch.setattr("tracker.services._alerts_insert_overdue", insert_fails)
    with pytest.raises(RuntimeError):
        deadlines_scan()

    commitment.refresh_from_db()
    assert not commitment.is_overdue
    assert commitment.version == version
    assert Alert.objects.count() == 0

    monkeypatch.undo()
    summary = deadlines_scan()  # the next scan does the whole job
    commitment.refresh_from_db()
    assert summary.became_overdue == [commitment.pk]
    assert alerts_of(commitment) == [(AlertKind.OVERDUE, NOV_30)]


def test_a_scan_while_another_holds_the_lock_is_skipped_and_changes_nothing(clock):
    commitment = due("2024-11")
    clock(DEC_1)
    other = connections.create_connection("default")  # another session, as another worker
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [SCAN_LOCK_KEY])

        summary = deadlines_scan()
    finally:
        other.close()

    commitment.refresh_from_db()
    assert summary.skipped
    assert not commitment.is_overdue
    assert Alert.objects.count() == 0
    assert not deadlines_scan().skipped  # the lock went with the other session


def test_the_database_refuses_a_duplicate_deadline_alert(commitment):
    Alert.objects.create(kind=AlertKind.OVERDUE, commitment=commitment, last_day=NOV_30)

    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(kind=AlertKind.OVERDUE, commitment=commitment, last_day=NOV_30)


def test_the_database_refuses_a_deadline_alert_without_its_deadline(commitment):
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(kind=AlertKind.DUE_SOON, commitment=commitment, last_day=None)
