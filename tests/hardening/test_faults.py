"""Faults of the servers the service stands on, caused for real inside the tests: a Redis that
stops, a PostgreSQL that restarts, a Celery worker killed in the middle of a scan.

Each test starts servers of its own (tests/hardening/servers.py) — a private Redis, a private
PostgreSQL, the app under gunicorn, a Celery worker — and stops them in its fixtures'
finalizers. The machine's shared PostgreSQL and Redis are only read and written, never stopped.
Nothing is mocked. The app under gunicorn and the worker read the test database, so the tests
commit what they create (transaction=True).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys

import pytest
from django.conf import settings

from accounts.services import api_token_create
from commitments.models import Commitment
from config.celery_app import app as celery_app
from tests.factories import make_editor
from tests.hardening.invariants import (
    assert_flags_match_statuses_and_deadlines,
    assert_no_alert_twice_and_none_missing,
)
from tests.hardening.locks import (
    advisory_lock_held,
    backend_exists,
    wait_for_a_session_waiting_for_advisory_lock,
)
from tests.hardening.servers import (
    BASE_DIR,
    CeleryWorker,
    PostgresServer,
    RedisServer,
    WebServer,
    app_environment,
    database_url_for,
    enqueued_tasks,
    wait_until,
)
from tests.tracker.helpers import EVIDENCE, due
from tracker.choices import AlertKind
from tracker.models import Alert
from tracker.services import ALERT_INSERT_LOCK_KEY, deadlines_scan
from tracker.tasks import deadlines_scan_task

pytestmark = pytest.mark.faults

DEC_1 = dt.date(2024, 12, 1)
ENQUEUE_FAILED = "could not enqueue a deadline scan of commitment {}"
# A write must not wait for a broker that is down: the publish is tried once (tracker.tasks)
# and gives up at once on a refused connection. A write takes ~50 ms; without that care, ~6 s.
WRITE_SECONDS = 2
# /health/ gives the broker 2 s (config/health.py), a load balancer's probe typically 5 s.
HEALTH_SECONDS = 4


def the_test_database_url() -> str:
    return database_url_for(settings.DATABASES["default"]["NAME"])


@pytest.fixture
def private_redis(tmp_path):
    server = RedisServer(tmp_path).start()
    yield server
    server.close()


@pytest.fixture
def servers_to_close():
    """Servers a test starts as it goes; closed, newest first, however the test ends."""
    started = []
    yield started
    for server in reversed(started):
        server.close()


def staff_token(username: str = "staff") -> str:
    return api_token_create(user=make_editor(username=username), name="tool").key


def status_change(commitment: Commitment, status: str) -> dict:
    return {
        "status": status,
        "effective_on": DEC_1.isoformat(),
        "source": commitment.citations.first().source_id,
        "quote": EVIDENCE,
    }


# --- Redis stops ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_the_api_reads_and_writes_and_the_next_scan_catches_up(
    private_redis, servers_to_close, tmp_path
):
    token = staff_token()
    overdue = due("2024-11")
    later = due("2030")
    deadlines_scan()  # `overdue` is flagged, with its alert
    web = WebServer(
        env=app_environment(
            database_url=the_test_database_url(),
            broker_url=private_redis.url,  # the broker and the cache
            CACHE_KEY_PREFIX="redis-down",
        ),
        log=tmp_path / "web.log",
    ).start()
    servers_to_close.append(web)
    assert web.get("/health/").status == 200

    private_redis.stop()

    health = web.get("/health/")
    assert health.status == 503
    assert health.json()["checks"]["database"] == "ok"
    assert health.json()["checks"]["broker"].startswith("down: ")
    assert health.seconds < HEALTH_SECONDS
    # Reads: throttling and the cached stats do without Redis.
    listed = web.get("/api/v1/commitments/")
    assert listed.status == 200
    assert {row["reference"] for row in listed.json()["results"]} == {
        overdue.reference,
        later.reference,
    }
    assert web.get(f"/api/v1/commitments/{overdue.pk}/").json()["is_overdue"] is True
    assert web.get("/api/v1/stats/").status == 200
    assert [a["kind"] for a in web.get("/api/v1/alerts/").json()["results"]] == ["overdue"]
    # Writes: saved, answered at once; the scan they enqueue after commit is lost and logged.
    completed = web.request(
        "POST",
        f"/api/v1/commitments/{overdue.pk}/status-changes/",
        body=status_change(overdue, "completed"),
        token=token,
    )
    assert completed.status == 201, completed.body
    assert completed.seconds < WRITE_SECONDS
    moved = web.request(
        "POST",
        f"/api/v1/commitments/{later.pk}/deadline-changes/",
        body={
            "deadline": "2024-10",
            "reason": "The ministry admitted it was due in October 2024.",
            "effective_on": DEC_1.isoformat(),
            "source": later.citations.first().source_id,
            "quote": EVIDENCE,
        },
        token=token,
    )
    assert moved.status == 201, moved.body
    assert moved.seconds < WRITE_SECONDS
    etag = web.get(f"/api/v1/commitments/{later.pk}/").headers["etag"]
    renamed = web.request(
        "PATCH",
        f"/api/v1/commitments/{later.pk}/",
        body={"title": "Cyber-security programme, moved"},
        token=token,
        headers={"If-Match": etag},
    )
    assert renamed.status == 200, renamed.body
    log = web.output()
    assert ENQUEUE_FAILED.format(overdue.pk) in log
    assert ENQUEUE_FAILED.format(later.pk) in log
    # The status_changed alert is part of the change's own transaction: it is there already.
    # So are the flag and the overdue alert of a deadline moved into the past (the write
    # refreshes its own row, Redis or not). A status change's flag waits for a scan: nothing
    # has scanned `overdue` since it was completed.
    overdue.refresh_from_db()
    later.refresh_from_db()
    assert (overdue.status, overdue.is_overdue) == ("completed", True)
    assert (later.deadline_edtf, later.is_overdue) == ("2024-10", True)
    assert sorted(Alert.objects.values_list("kind", "commitment_id")) == [
        ("overdue", overdue.pk),
        ("overdue", later.pk),
        ("status_changed", overdue.pk),
    ]

    private_redis.start()  # an empty Redis: its queues are gone too

    assert web.get("/health/").status == 200
    reopened = web.request(
        "POST",
        f"/api/v1/commitments/{later.pk}/status-changes/",
        body=status_change(later, "adopted"),
        token=token,
    )
    assert reopened.status == 201, reopened.body
    # The same web process enqueues again, on a fresh connection, without a restart.
    assert enqueued_tasks(private_redis.client()) == [
        ("tracker.tasks.commitment_scan_task", [later.pk])
    ]
    assert web.output().count("could not enqueue") == 2

    summary = deadlines_scan()  # the next beat scan

    assert summary.became_overdue == []  # `later` was flagged by its deadline change
    assert summary.no_longer_overdue == [overdue.pk]
    assert_flags_match_statuses_and_deadlines()
    assert_no_alert_twice_and_none_missing()
    assert list(
        Alert.objects.filter(kind=AlertKind.OVERDUE).values_list("commitment_id", "last_day")
    ) == [(overdue.pk, dt.date(2024, 11, 30)), (later.pk, dt.date(2024, 10, 31))]
    feed = web.get("/api/v1/alerts/").json()["results"]  # dashboards see it caught up
    assert [(alert["kind"], alert["commitment"]["id"]) for alert in feed] == [
        ("overdue", overdue.pk),
        ("status_changed", overdue.pk),
        ("overdue", later.pk),  # recorded with its deadline change
        ("status_changed", later.pk),
    ]


@pytest.mark.django_db(transaction=True)
def test_with_redis_hung_requests_wait_only_as_long_as_the_redis_timeouts(
    private_redis, servers_to_close, tmp_path
):
    """A Redis that accepts connections and never answers costs each request its socket
    timeouts (CACHES and the broker's transport options), never a hung worker: a read waits
    for the throttle's one cache call (2 s), a write also for the stats renewal (2 s) and the
    publish of its scan (5 s)."""
    token = staff_token()
    commitment = due("2030")
    web = WebServer(
        env=app_environment(
            database_url=the_test_database_url(),
            broker_url=private_redis.url,
            CACHE_KEY_PREFIX="redis-hung",
        ),
        log=tmp_path / "web.log",
    ).start()
    servers_to_close.append(web)
    assert web.get("/api/v1/commitments/").status == 200

    private_redis.pause()

    read = web.get(f"/api/v1/commitments/{commitment.pk}/")
    assert read.status == 200
    assert read.seconds < 2 + 2
    health = web.get("/health/")
    assert health.status == 503
    assert health.json()["checks"]["broker"].startswith("down: ")
    assert health.seconds < HEALTH_SECONDS
    write = web.request(
        "POST",
        f"/api/v1/commitments/{commitment.pk}/status-changes/",
        body=status_change(commitment, "adopted"),
        token=token,
    )
    assert write.status == 201, write.body
    assert write.seconds < 2 + 2 + 5 + 3
    assert ENQUEUE_FAILED.format(commitment.pk) in web.output()
    commitment.refresh_from_db()
    assert commitment.status == "adopted"


# --- PostgreSQL restarts -------------------------------------------------------------------------


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


# Run by `manage.py shell` against the private PostgreSQL: an overdue commitment, not yet
# flagged (its creation enqueues a scan of it), and a staff member's token.
PG_SETUP = """
from accounts.services import api_token_create
from tests.factories import make_commitment, make_editor
commitment = make_commitment(reference="PG-RESTART-1", deadline="2024-11")
staff = make_editor(username="editor")
print(commitment.pk, api_token_create(user=staff, name="pg restart").key)
"""


def sessions_named(postgres: PostgresServer, application_name: str) -> int:
    answer = postgres.psql(
        "SELECT count(*) FROM pg_stat_activity "
        f"WHERE application_name = '{application_name}' AND backend_type = 'client backend';"
    )
    return int(answer.split()[2])


def test_after_postgresql_restarts_the_web_process_and_the_worker_carry_on_without_a_restart(
    private_redis, servers_to_close, tmp_path
):
    postgres = PostgresServer()
    servers_to_close.append(postgres)
    postgres.start(database="tracker")

    def env_of(name: str) -> dict[str, str]:
        return app_environment(
            database_url=f"{postgres.url}&application_name={name}",
            broker_url=private_redis.url,
            CACHE_KEY_PREFIX="pg-restart",
        )

    _manage(env_of("setup"), "migrate", "--noinput", "-v", "0")
    commitment_id, token = _manage(env_of("setup"), "shell", "-c", PG_SETUP).split()[-2:]
    detail = f"/api/v1/commitments/{commitment_id}/"
    web = WebServer(env=env_of("tracker-web"), log=tmp_path / "web.log").start()
    servers_to_close.append(web)
    worker = CeleryWorker(env=env_of("tracker-worker"), log=tmp_path / "worker.log", name="pg")
    servers_to_close.append(worker)
    worker.start()

    def is_overdue() -> bool:
        reply = web.get(detail)
        assert reply.status == 200, reply.body
        return reply.json()["is_overdue"]

    wait_until(is_overdue, timeout=30, what="the worker's scan flags the commitment")
    assert is_overdue()
    # The web process and the worker each keep one connection from one task or request to
    # the next (CONN_MAX_AGE): what a restart of PostgreSQL breaks.
    assert sessions_named(postgres, "tracker-web") == 1
    assert sessions_named(postgres, "tracker-worker") == 1
    pool_processes = worker.pool_processes()

    # 1. A restart between two requests, with no request in between: both processes hold a
    # dead connection. The health check that CONN_HEALTH_CHECKS runs before a connection's
    # first use in a request (or a task) replaces it: the first request after the restart
    # is answered normally, and so is the first write, whose scan the worker runs.
    postgres.restart()

    assert is_overdue()
    completed = web.request(
        "POST",
        f"{detail}status-changes/",
        body={
            "status": "completed",
            "effective_on": DEC_1.isoformat(),
            "source": web.get(detail).json()["citations"][0]["source"]["id"],
            "quote": "a national cyber-security programme will run for 2025-2027",
        },
        token=token,
    )
    assert completed.status == 201, completed.body
    wait_until(lambda: not is_overdue(), timeout=30, what="the worker's scan clears the flag")
    worker.wait_for_output(" succeeded in ", count=2)  # the scans of the creation and the change
    assert "Traceback" not in worker.output()

    # 2. While PostgreSQL is down, requests fail at once (a 500; /health/ answers 503 and says
    # why), and the first request once it is back is answered.
    postgres.stop()
    during = web.get(detail)
    assert during.status == 500
    assert during.seconds < WRITE_SECONDS
    health = web.get("/health/")
    assert health.status == 503
    assert health.json()["checks"]["database"].startswith("down: OperationalError")
    postgres.start_again()
    assert not is_overdue()
    assert web.get("/health/").status == 200

    # Neither process was restarted, by itself or by its supervisor.
    assert web.alive() and worker.alive()
    assert web.output().count("Booting worker") == 1
    assert worker.pool_processes() == pool_processes


# --- a worker killed in the middle of a scan --------------------------------------------------


@pytest.fixture
def scan_work(transactional_db):
    """Commitments for a scan to flag and alert on, and some it must leave alone; the scans
    their creation enqueued went to the suite's broker, not to the private one.

    `due` enters them on 2024-01-01, before every deadline here, so none is flagged at its
    creation (one entered past its deadline is flagged at once); the worker's scan runs with
    the real clock, after these deadlines: the flags and alerts are all its work."""
    past = {c.pk: c.deadline_last_day for c in (due("2024-11"), due("2024-10"), due("2024"))}
    untouched = [due("2030"), due("2024-09", status="completed")]
    return past, untouched


def worker_environment(redis: RedisServer) -> dict[str, str]:
    return app_environment(
        database_url=the_test_database_url(), broker_url=redis.url, CACHE_KEY_PREFIX="worker-kill"
    )


def send_beat_scan(redis: RedisServer) -> str:
    """What beat sends every TRACKER_SCAN_INTERVAL_SECONDS, sent to the private broker; the
    task's id."""
    with celery_app.connection_for_write(redis.url) as conn:
        return deadlines_scan_task.apply_async(connection=conn).id


def assert_scan_done_exactly_once(past: dict, untouched: list) -> None:
    flagged = dict(Commitment.objects.filter(is_overdue=True).values_list("id", "overdue_since"))
    assert flagged == {pk: last_day + dt.timedelta(days=1) for pk, last_day in past.items()}
    alerts = Alert.objects.filter(kind=AlertKind.OVERDUE)
    assert sorted(alerts.values_list("commitment_id", "last_day")) == sorted(past.items())
    assert not Alert.objects.filter(commitment__in=untouched).exists()
    assert_flags_match_statuses_and_deadlines()
    assert_no_alert_twice_and_none_missing()


def nothing_flagged_or_alerted() -> bool:
    return not Commitment.objects.filter(is_overdue=True).exists() and not Alert.objects.exists()


def all_flagged(past: dict):
    return lambda: Commitment.objects.filter(is_overdue=True).count() == len(past)


@pytest.mark.worker
def test_a_scan_whose_pool_process_is_killed_is_run_again_by_the_worker_and_done_once(
    scan_work, private_redis, servers_to_close, tmp_path
):
    past, untouched = scan_work
    worker = CeleryWorker(
        env=worker_environment(private_redis), log=tmp_path / "worker.log", name="killed-pool"
    )
    servers_to_close.append(worker)
    worker.start()

    with advisory_lock_held(ALERT_INSERT_LOCK_KEY):
        task = send_beat_scan(private_redis)
        # The scan has flagged the commitments (not committed) and waits to insert alerts.
        backend = wait_for_a_session_waiting_for_advisory_lock(ALERT_INSERT_LOCK_KEY)
        assert nothing_flagged_or_alerted()
        (pool_process,) = worker.pool_processes()
        os.kill(pool_process, signal.SIGKILL)
        worker.wait_for_output("WorkerLostError")
    # The scan's session, its client gone, gets the lock, fails to answer and is rolled back.
    wait_until(lambda: not backend_exists(backend), timeout=30, what="the dead scan's session ends")

    # Acknowledged late and rejected when its process was lost, the message is delivered
    # again to the worker's new pool process, which does the scan (a retry if the dead
    # session still held the scan lock when it tried).
    wait_until(all_flagged(past), timeout=30, what="the scan is done again")
    worker.wait_for_output(f"deadlines_scan_task[{task}] received", count=2)  # the same message
    worker.wait_for_output(f"deadlines_scan_task[{task}] succeeded")
    assert worker.alive()
    assert_scan_done_exactly_once(past, untouched)
    assert deadlines_scan().alerts_created == 0  # and a later scan finds nothing left


@pytest.mark.worker
def test_a_scan_whose_worker_is_killed_commits_nothing_and_the_next_scan_completes_it(
    scan_work, private_redis, servers_to_close, tmp_path
):
    past, untouched = scan_work
    env = worker_environment(private_redis)
    worker = CeleryWorker(env=env, log=tmp_path / "worker.log", name="killed")
    servers_to_close.append(worker)
    worker.start()

    with advisory_lock_held(ALERT_INSERT_LOCK_KEY):
        send_beat_scan(private_redis)
        backend = wait_for_a_session_waiting_for_advisory_lock(ALERT_INSERT_LOCK_KEY)
        worker.kill()  # the whole worker, pool and all
    wait_until(lambda: not backend_exists(backend), timeout=30, what="the dead scan's session ends")

    # Half a scan is no scan: the flags it had set were rolled back with its transaction.
    assert nothing_flagged_or_alerted()
    # Its message was taken but never acknowledged: Redis keeps it aside, to be delivered
    # again once the visibility timeout (an hour by default) has passed.
    assert private_redis.client().hlen("unacked") == 1

    fresh = CeleryWorker(env=env, log=tmp_path / "fresh-worker.log", name="fresh")
    servers_to_close.append(fresh)
    fresh.start()
    task = send_beat_scan(private_redis)  # the next beat

    wait_until(all_flagged(past), timeout=30, what="the next scan is done")
    fresh.wait_for_output(f"deadlines_scan_task[{task}] succeeded")
    assert_scan_done_exactly_once(past, untouched)
