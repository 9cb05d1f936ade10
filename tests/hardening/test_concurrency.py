"""Writers at the same moment: staff racing each other through the API, and a deadline scan
racing a status change. Real threads, each with its own database connection, and committed
transactions (nothing here runs inside a test transaction).

Where the order of events matters, the test does not hope for it: it holds the lock the writers
take (the commitment's row, or the alert-insert advisory lock) from a connection of its own,
waits until PostgreSQL shows the others queued behind it, and only then lets go.
"""

from __future__ import annotations

import datetime as dt
import random
import threading

import pytest
import redis
from django.conf import settings
from django.db import transaction

from accounts.services import api_token_create
from commitments.choices import OPEN_STATUSES, Status
from commitments.models import Citation, Commitment, DeadlineChange, StatusChange
from tests.api_fixtures import client_with_token
from tests.factories import make_editor
from tests.hardening.invariants import (
    assert_flags_match_statuses_and_deadlines,
    assert_no_alert_twice_and_none_missing,
)
from tests.hardening.locks import row_lock_held, wait_for_sessions_waiting_for_a_lock
from tests.hardening.servers import run_enqueued_tasks
from tests.tracker.helpers import (
    EVIDENCE,
    ConnectionThread,
    due,
    move_deadline,
    record_status,
    wait_for_a_blocked_advisory_lock,
)
from tracker.choices import AlertKind
from tracker.models import Alert
from tracker.services import ALERT_INSERT_LOCK_KEY, deadlines_scan

pytestmark = pytest.mark.django_db(transaction=True)

# Changes take effect on a past day; "today" is the real date in the tracker's time zone, so
# deadlines in 2024 are past.
DEC_1 = dt.date(2024, 12, 1)
COMMITMENT_SCAN = "tracker.tasks.commitment_scan_task"


def detail(pk: int) -> str:
    return f"/api/v1/commitments/{pk}/"


def staff_client(username: str):
    user = make_editor(username=username)
    return client_with_token(api_token_create(user=user, name=f"{username}'s tool").key)


def in_parallel(*calls):
    """Start each call in a thread with its own connection, all released at once by a barrier;
    return the threads, in the order given (`outcome()` waits for one's result)."""
    start = threading.Barrier(len(calls))

    def released(call):
        def run():
            start.wait(10)
            return call()

        return run

    threads = [ConnectionThread(released(call), name=f"writer-{n}") for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    return threads


@pytest.fixture
def broker():
    """The suite's Redis broker, its default queue emptied before and after: the scans that
    writes enqueue on commit wait there until the test runs them."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete("celery")
    yield client
    client.delete("celery")
    client.close()


# --- two staff, one commitment ----------------------------------------------------------------


def test_two_staff_patching_with_the_same_if_match_get_one_200_and_one_412():
    commitment = due("2030")
    alice, bob = staff_client("alice"), staff_client("bob")
    etag = alice.get(detail(commitment.pk))["ETag"]

    def patch(client, title):
        return lambda: client.patch(
            detail(commitment.pk), {"title": title}, format="json", HTTP_IF_MATCH=etag
        )

    titles = ("Alice's title", "Bob's title")
    threads = in_parallel(patch(alice, titles[0]), patch(bob, titles[1]))
    replies = {title: thread.outcome() for title, thread in zip(titles, threads, strict=True)}

    assert sorted(reply.status_code for reply in replies.values()) == [200, 412]
    (won,) = [title for title, reply in replies.items() if reply.status_code == 200]
    (lost,) = [reply for reply in replies.values() if reply.status_code == 412]
    assert lost.json()["code"] in {"precondition_failed", "version_conflict"}
    commitment.refresh_from_db()
    assert commitment.title == won
    assert commitment.version == 2  # one write, not two
    assert replies[won]["ETag"] == alice.get(detail(commitment.pk))["ETag"] != etag


def test_two_patches_queued_on_the_row_lock_with_the_same_if_match_write_only_once():
    """If-Match is compared under the write's row lock (config.api.conditional.
    locked_for_write): two requests with the same ETag queued behind a slow writer are taken
    one at a time, and the second, seeing the first's change, is refused (412) instead of
    silently overwriting it."""
    commitment = due("2030")
    alice, bob = staff_client("alice"), staff_client("bob")
    etag = alice.get(detail(commitment.pk))["ETag"]

    def patch(client, title):
        return lambda: client.patch(
            detail(commitment.pk), {"title": title}, format="json", HTTP_IF_MATCH=etag
        )

    with row_lock_held(commitment):  # a slow writer: both requests queue behind it
        threads = in_parallel(patch(alice, "Alice's title"), patch(bob, "Bob's title"))
        wait_for_sessions_waiting_for_a_lock(2)
    replies = [thread.outcome() for thread in threads]

    assert sorted(reply.status_code for reply in replies) == [200, 412]
    (won,) = [reply for reply in replies if reply.status_code == 200]
    (lost,) = [reply for reply in replies if reply.status_code == 412]
    problem = lost.json()
    assert problem["code"] == "precondition_failed"
    assert won["ETag"] in problem["detail"]  # the ETag to fetch again
    commitment.refresh_from_db()
    assert commitment.version == 2
    assert commitment.title == next(r.json()["title"] for r in replies if r.status_code == 200)


def test_two_status_changes_recorded_at_the_same_moment_are_both_kept_in_order(source):
    commitment = due("2030", source=source)
    alice, bob = staff_client("alice"), staff_client("bob")

    def record(client, status):
        return lambda: client.post(
            f"{detail(commitment.pk)}status-changes/",
            {
                "status": status,
                "effective_on": DEC_1.isoformat(),
                "note": f"{status}, as reported",
                "source": source.pk,
                "quote": EVIDENCE,
            },
            format="json",
        )

    with row_lock_held(commitment):  # both requests arrive, and queue for the row
        threads = in_parallel(record(alice, "adopted"), record(bob, "in_progress"))
        wait_for_sessions_waiting_for_a_lock(2)
    replies = [thread.outcome() for thread in threads]

    assert [reply.status_code for reply in replies] == [201, 201], [r.json() for r in replies]
    changes = list(StatusChange.objects.filter(commitment=commitment).order_by("version"))
    assert [change.version for change in changes] == [2, 3]  # consecutive, none lost
    first, second = changes
    assert first.old_status == Status.PROPOSED
    assert second.old_status == first.new_status  # each change starts where the last ended
    assert {first.new_status, second.new_status} == {"adopted", "in_progress"}
    assert first.recorded_at <= second.recorded_at and first.id < second.id
    commitment.refresh_from_db()
    assert (commitment.status, commitment.version) == (second.new_status, 3)
    assert sorted(reply.json()["version"] for reply in replies) == [2, 3]
    history = alice.get(f"{detail(commitment.pk)}history/").json()
    assert [(entry["version"], entry["new_status"]) for entry in history] == [
        (2, first.new_status),
        (3, second.new_status),
    ]
    assert Alert.objects.filter(kind=AlertKind.STATUS_CHANGED).count() == 2


# --- a scan and a status change -----------------------------------------------------------------


def test_an_overdue_commitment_completed_while_a_scan_runs_ends_up_not_overdue(broker):
    commitment = due("2024-11")
    deadlines_scan()
    commitment.refresh_from_db()
    assert commitment.is_overdue
    broker.delete("celery")
    change_recorded, change_may_commit = threading.Event(), threading.Event()

    def complete():
        with transaction.atomic():
            change = record_status(commitment, "completed", on=DEC_1)
            change_recorded.set()
            assert change_may_commit.wait(10)
        return change

    change = ConnectionThread(complete, name="status change")
    change.start()
    assert change_recorded.wait(10)
    scan = ConnectionThread(deadlines_scan, name="scan")
    scan.start()
    # The scan has read the flags and waits to insert its alerts until the change commits.
    wait_for_a_blocked_advisory_lock(ALERT_INSERT_LOCK_KEY)
    change_may_commit.set()
    change.outcome()
    scan.outcome()

    # The change enqueued a scan of its commitment once it committed; a worker runs it.
    assert run_enqueued_tasks(broker) == [(COMMITMENT_SCAN, [commitment.pk])]
    commitment.refresh_from_db()
    assert (commitment.status, commitment.is_overdue) == ("completed", False)
    assert_flags_match_statuses_and_deadlines()
    assert sorted(Alert.objects.values_list("kind", flat=True)) == [
        AlertKind.OVERDUE,
        AlertKind.STATUS_CHANGED,
    ]


def test_a_scan_does_not_flag_a_commitment_completed_under_it(broker):
    """The scan's UPDATE finds the row open and past due in its snapshot, but the row is being
    completed: it waits for that change, sees the row again, and leaves it alone — no flag and
    no overdue alert, even before any other scan runs."""
    commitment = due("2024-11")  # past due, not yet flagged
    change_recorded, change_may_commit = threading.Event(), threading.Event()

    def complete():
        with transaction.atomic():
            record_status(commitment, "completed", on=DEC_1)
            change_recorded.set()
            assert change_may_commit.wait(10)

    change = ConnectionThread(complete, name="status change")
    change.start()
    assert change_recorded.wait(10)
    scan = ConnectionThread(deadlines_scan, name="scan")
    scan.start()
    wait_for_sessions_waiting_for_a_lock(1)  # the scan's UPDATE waits for the row
    change_may_commit.set()
    change.outcome()
    summary = scan.outcome()

    commitment.refresh_from_db()
    assert summary.became_overdue == []
    assert (commitment.status, commitment.is_overdue) == ("completed", False)
    assert not Alert.objects.filter(kind=AlertKind.OVERDUE).exists()
    run_enqueued_tasks(broker)  # the scans that the creation and the change enqueued
    assert_flags_match_statuses_and_deadlines()
    assert list(Alert.objects.values_list("kind", flat=True)) == [AlertKind.STATUS_CHANGED]


def test_scans_racing_status_and_deadline_changes_leave_every_flag_right_and_no_alert_twice(
    broker,
):
    """Two scanners scan in a loop while two editors complete, reopen and move the deadlines
    of their commitments (between past days and the future). No thread fails (no deadlock, no
    unique violation), and once the scans the changes enqueued have run, every flag is right
    and no alert is missing or repeated."""
    deadlines = ["2024-11", "2024-10", "2024", "2031", "2024-09", "2024-09", "2023", "2024-12"]
    commitments = [due(deadline) for deadline in deadlines]
    broker.delete("celery")
    rounds = 8
    seed = random.randrange(1_000_000)
    print(f"random seed {seed}")  # shown when the test fails

    def scanner():
        return [deadlines_scan() for _ in range(rounds)]

    def editor(mine: list[Commitment], rng: random.Random) -> int:
        for _ in range(rounds):
            commitment = rng.choice(mine)
            commitment.refresh_from_db()
            if rng.random() < 0.5:
                target = "completed" if commitment.status in OPEN_STATUSES else "in_progress"
                record_status(commitment, target, on=DEC_1)
            else:
                others = [
                    d
                    for d in ("2023", "2024-09", "2024-11", "2031")
                    if d != commitment.deadline_edtf
                ]
                # On the real clock, as the scanners beside it read it.
                move_deadline(commitment, rng.choice(others), on=DEC_1, travel=False)
        return rounds

    rng = random.Random(seed)
    threads = in_parallel(
        scanner,
        scanner,
        lambda: editor(commitments[0::2], random.Random(rng.random())),
        lambda: editor(commitments[1::2], random.Random(rng.random())),
    )
    outcomes = [thread.outcome(timeout=60) for thread in threads]

    recorded = StatusChange.objects.count() + DeadlineChange.objects.count()
    assert outcomes[2] + outcomes[3] == recorded == 2 * rounds
    run_enqueued_tasks(broker)
    assert_flags_match_statuses_and_deadlines()
    assert_no_alert_twice_and_none_missing()


# --- two staff creating the same commitment ---------------------------------------------------


def test_two_staff_creating_the_same_reference_at_once_get_one_201_and_one_409(source):
    """Both requests pass validation (the reference is free when each looks), then meet at the
    unique index: one is created, the other is refused with nothing of it saved."""
    alice, bob = staff_client("alice"), staff_client("bob")
    looked, may_give_up = threading.Event(), threading.Event()

    def a_third_writer_that_gives_up():
        # Holds the reference in an uncommitted row while both requests validate and insert.
        with transaction.atomic():
            due("2030", reference="TM-2024-RACE", source=source)
            looked.set()
            assert may_give_up.wait(10)
            transaction.set_rollback(True)

    def create(client, title):
        body = {
            "reference": "TM-2024-RACE",
            "title": title,
            "kind": "programme",
            "citations": [{"source": source.pk, "quote": EVIDENCE}],
        }
        return lambda: client.post("/api/v1/commitments/", body, format="json")

    third = ConnectionThread(a_third_writer_that_gives_up, name="third writer")
    third.start()
    assert looked.wait(10)
    threads = in_parallel(create(alice, "Alice's"), create(bob, "Bob's"))
    wait_for_sessions_waiting_for_a_lock(2)  # both inserts wait at the unique index
    may_give_up.set()
    third.outcome()
    replies = [thread.outcome() for thread in threads]

    assert sorted(reply.status_code for reply in replies) == [201, 409]
    (lost,) = [reply for reply in replies if reply.status_code == 409]
    assert lost.json()["code"] == "conflict"
    (created,) = Commitment.objects.filter(reference="TM-2024-RACE")
    assert created.title == next(r.json()["title"] for r in replies if r.status_code == 201)
    assert Citation.objects.filter(quote=EVIDENCE).count() == 1  # the loser left nothing
