"""Helpers of the tracker's tests: commitments with deadlines, changes with evidence, threads
with connections of their own."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection, connections

from commitments.choices import REASON_STATUSES
from commitments.services import commitment_change_deadline, commitment_record_status_change
from tests.factories import make_commitment

ASHGABAT = ZoneInfo("Asia/Ashgabat")
# A quote that occurs in tests.factories.SOURCE_TEXT: the evidence for changes in these tests.
EVIDENCE = "Officials said the programme was approved by the Cabinet."


# Commitments are entered before their deadlines (one entered past its deadline is flagged at
# once), and a deadline moves on the day the change took effect: the scans then decide, as of
# the day each test names.
ENTERED = dt.datetime(2024, 1, 1, 9, tzinfo=ASHGABAT)


def due(deadline: str, **extra):
    """A published commitment with this deadline (EDTF or words), through the services."""
    with time_machine.travel(ENTERED, tick=False):
        return make_commitment(deadline=deadline, **extra)


def record_status(commitment, status: str, *, on: dt.date, source=None):
    return commitment_record_status_change(
        commitment=commitment,
        status=status,
        effective_on=on,
        source=source or commitment.citations.first().source,
        quote=EVIDENCE,
        # Stalled and abandoned say why.
        reason="dropped" if status in REASON_STATUSES else "",
    )


def move_deadline(commitment, deadline: str | None, *, on: dt.date, travel: bool = True):
    """`travel=False` where other threads run meanwhile: the clock is the whole process's."""
    if not travel:
        return _move_deadline(commitment, deadline, on=on)
    with time_machine.travel(dt.datetime.combine(on, dt.time(9), ASHGABAT), tick=False):
        return _move_deadline(commitment, deadline, on=on)


def _move_deadline(commitment, deadline: str | None, *, on: dt.date):
    return commitment_change_deadline(
        commitment=commitment,
        deadline=deadline,
        reason="The ministry announced a new date.",
        effective_on=on,
        source=commitment.citations.first().source,
        quote=EVIDENCE,
    )


# --- threads with connections of their own ---------------------------------------------------


class ConnectionThread(threading.Thread):
    """Run `target` in a thread with its own database connection; keep its result or error."""

    def __init__(self, target: Callable, name: str = "worker"):
        super().__init__(name=name, daemon=True)
        self._target_fn = target
        self.result = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self._target_fn()
        except BaseException as error:  # reported to the test by `outcome()`
            self.error = error
        finally:
            connections.close_all()

    def outcome(self, timeout: float = 30):
        self.join(timeout)
        assert not self.is_alive(), f"{self.name} did not finish within {timeout}s"
        if self.error is not None:
            raise self.error
        return self.result


def wait_for_a_blocked_advisory_lock(key: int, timeout: float = 10) -> None:
    """Wait until a session of this database waits for the advisory lock `key` (pg_locks
    shows it requested and not granted)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT count(*) FROM pg_locks
                 WHERE locktype = 'advisory' AND NOT granted
                   AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                   AND classid = %(high)s AND objid = %(low)s AND objsubid = 1
                """,
                {"high": key >> 32, "low": key & 0xFFFFFFFF},
            )
            if cursor.fetchone()[0]:
                return
        time.sleep(0.02)
    raise AssertionError(f"no session started waiting for the advisory lock {key:#x}")
