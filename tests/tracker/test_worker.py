"""A real Celery worker process on the real Redis broker (not eager mode) runs the scans.

The worker is a subprocess pointed at the test database; the tests commit their rows
(transaction=True) so that it sees them, and it runs in real time: 2024 deadlines are past.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from commitments.models import Commitment
from config.celery_app import app as celery_app
from tests.hardening.servers import database_url_for
from tracker.models import Alert
from tracker.services import SCAN_LOCK_KEY
from tracker.tasks import deadlines_scan_task

from .helpers import due

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 60
SCAN_SECONDS = 30


class WorkerProcess:
    def __init__(self, process: subprocess.Popen, log: Path):
        self.process = process
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_output(self, text: str, timeout: float = SCAN_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return
            assert self.process.poll() is None, f"the worker died:\n{self.output()}"
            time.sleep(0.2)
        raise AssertionError(f"the worker never said {text!r}:\n{self.output()}")


@pytest.fixture(scope="module")
def worker(django_db_setup, tmp_path_factory) -> WorkerProcess:
    """`celery -A config.celery_app worker`, on the test database and this suite's broker."""
    hostname = f"clock-test-{os.getpid()}@localhost"
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url_for(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "config.celery_app", "worker"),
                *("--pool=solo", "--loglevel=INFO", f"--hostname={hostname}"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    running = WorkerProcess(process, log)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not celery_app.control.ping(destination=[hostname], timeout=0.5):
            assert process.poll() is None, f"the worker did not start:\n{running.output()}"
            assert time.monotonic() < deadline, f"the worker is not ready:\n{running.output()}"
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_overdue(commitment: Commitment, worker: WorkerProcess) -> Commitment:
    deadline = time.monotonic() + SCAN_SECONDS
    while time.monotonic() < deadline:
        commitment.refresh_from_db()
        if commitment.is_overdue:
            return commitment
        assert worker.process.poll() is None, f"the worker died:\n{worker.output()}"
        time.sleep(0.2)
    raise AssertionError(f"the worker never flagged {commitment}:\n{worker.output()}")


def test_a_commitment_saved_with_a_past_deadline_is_flagged_by_a_real_worker(worker):
    # Saving it enqueues a scan of it once the transaction commits; the worker runs it.
    commitment = due("2024-11")

    wait_until_overdue(commitment, worker)

    assert commitment.overdue_since.isoformat() == "2024-12-01"
    assert Alert.objects.filter(commitment=commitment, kind="overdue").count() == 1


def test_the_beat_scan_on_a_real_worker_catches_up_a_change_saved_while_the_broker_was_down(
    worker, monkeypatch
):
    with monkeypatch.context() as broker_down:
        broker_down.setattr(celery_app.conf, "broker_write_url", "redis://127.0.0.1:1/0")
        commitment = due("2024-11")  # saved; its scan could not be enqueued

    with celery_app.connection_for_write() as conn:  # what beat sends every interval
        deadlines_scan_task.apply_async(connection=conn)

    wait_until_overdue(commitment, worker)
    worker.wait_for_output("tracker.tasks.deadlines_scan_task")


def test_a_scan_that_found_another_running_is_retried_by_the_real_worker(worker):
    other_scan = connections.create_connection("default")
    try:
        with other_scan.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [SCAN_LOCK_KEY])
        commitment = due("2024-11")
        worker.wait_for_output("retry: Retry in")
        commitment.refresh_from_db()
        assert not commitment.is_overdue  # the worker stepped aside
    finally:
        other_scan.close()  # the other scan ends

    wait_until_overdue(commitment, worker)
