"""Scans at the same time as each other and as status changes: real threads, each with its own
database connection, and committed transactions."""

import datetime as dt
import threading

import pytest
from django.db import transaction

from commitments.models import Commitment
from tracker.choices import AlertKind
from tracker.models import Alert
from tracker.services import (
    ALERT_INSERT_LOCK_KEY,
    _alert_inserts_lock,
    _alerts_insert_overdue,
    deadlines_scan,
)

from .helpers import ConnectionThread, due, record_status, wait_for_a_blocked_advisory_lock

pytestmark = pytest.mark.django_db(transaction=True)

DEC_1 = dt.date(2024, 12, 1)


def test_scans_racing_in_parallel_threads_make_no_duplicate_alert(clock):
    commitments = [due("2024-11") for _ in range(5)] + [due("2024-12") for _ in range(5)]
    clock(DEC_1)
    start = threading.Barrier(4)

    def scan():
        start.wait()
        return deadlines_scan()

    threads = [ConnectionThread(scan, name=f"scan-{n}") for n in range(4)]
    for thread in threads:
        thread.start()
    summaries = [thread.outcome() for thread in threads]

    # Whoever got there first did the work; the others were skipped or found nothing to do.
    assert sum(summary.alerts_created for summary in summaries) == 10
    assert Alert.objects.count() == 10
    assert sorted(Alert.objects.values_list("commitment_id", flat=True)) == sorted(
        c.pk for c in commitments
    )
    assert Commitment.objects.filter(is_overdue=True).count() == 5


def test_a_second_scan_while_the_first_is_working_is_skipped(clock):
    commitment = due("2024-11")
    clock(DEC_1)
    first_scanned, first_may_commit = threading.Event(), threading.Event()

    def slow_scan():
        with transaction.atomic():  # the scan's lock lasts until this commits
            summary = deadlines_scan()
            first_scanned.set()
            first_may_commit.wait(10)
        return summary

    first = ConnectionThread(slow_scan, name="first")
    first.start()
    assert first_scanned.wait(10)
    second = ConnectionThread(deadlines_scan, name="second")
    second.start()
    second_summary = second.outcome()
    first_may_commit.set()

    assert first.outcome().became_overdue == [commitment.pk]
    assert second_summary.skipped
    assert Alert.objects.filter(kind=AlertKind.OVERDUE).count() == 1


def test_alerts_become_visible_in_the_order_of_their_ids(clock):
    """A feed reader moves its cursor past the highest id it saw, so an alert must never
    commit after one with a higher id: the alert inserts of concurrent transactions queue."""
    changed, overdue = due("2025"), due("2024-11")
    clock(DEC_1)
    change_recorded, change_may_commit = threading.Event(), threading.Event()

    def status_change():
        with transaction.atomic():
            record_status(changed, "in_progress", on=DEC_1)
            change_recorded.set()
            change_may_commit.wait(10)

    first = ConnectionThread(status_change, name="status change")
    first.start()
    assert change_recorded.wait(10)
    scan = ConnectionThread(deadlines_scan, name="scan")
    scan.start()
    wait_for_a_blocked_advisory_lock(
        ALERT_INSERT_LOCK_KEY
    )  # the scan waits for the status change to commit
    assert not Alert.objects.exists()  # nothing committed yet, by either
    change_may_commit.set()
    first.outcome()
    scan.outcome()

    status_alert = Alert.objects.get(kind=AlertKind.STATUS_CHANGED)
    overdue_alert = Alert.objects.get(kind=AlertKind.OVERDUE, commitment=overdue)
    assert status_alert.id < overdue_alert.id
    assert status_alert.created_at <= overdue_alert.created_at


def test_an_alert_insert_and_a_status_change_of_the_same_commitment_do_not_deadlock(clock):
    """The scan inserts an alert for a commitment whose status change is in flight: the
    change holds the commitment's row and waits for the alert lock, the scan holds the alert
    lock and needs the row for its foreign key check. The row lock must not block that."""
    commitment = due("2024-11")
    clock(DEC_1)
    scan_holds_lock, change_waiting = threading.Event(), threading.Event()

    def scan_alerting_the_commitment():
        with transaction.atomic():
            created_at = _alert_inserts_lock()
            scan_holds_lock.set()
            assert change_waiting.wait(10)
            return _alerts_insert_overdue(
                became_overdue=[(commitment.pk, dt.date(2024, 11, 30))], created_at=created_at
            )

    scan = ConnectionThread(scan_alerting_the_commitment, name="scan")
    scan.start()
    assert scan_holds_lock.wait(10)
    change = ConnectionThread(
        lambda: record_status(commitment, "completed", on=DEC_1), name="change"
    )
    change.start()
    wait_for_a_blocked_advisory_lock(
        ALERT_INSERT_LOCK_KEY
    )  # the change holds the row and waits for the lock
    change_waiting.set()

    assert scan.outcome(timeout=10) == 1
    assert change.outcome(timeout=10).new_status == "completed"
    assert sorted(Alert.objects.values_list("kind", flat=True)) == [
        AlertKind.OVERDUE,
        AlertKind.STATUS_CHANGED,
    ]
