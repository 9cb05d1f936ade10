"""Locks that a test holds from a connection of its own, to stop other sessions at a chosen
point, and the questions to PostgreSQL that tell the test where they stopped."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import connection, connections

from commitments.models import Commitment
from tests.hardening.servers import wait_until


@contextlib.contextmanager
def row_lock_held(commitment: Commitment) -> Iterator[None]:
    """Hold the commitment's row as its writers do (FOR NO KEY UPDATE) until the block ends:
    every writer that arrives meanwhile queues behind this lock, as behind a slow writer."""
    holder = connections.create_connection("default")
    try:
        with holder.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(
                f"SELECT 1 FROM {Commitment._meta.db_table} WHERE id = %s FOR NO KEY UPDATE",
                [commitment.pk],
            )
        yield
        with holder.cursor() as cursor:
            cursor.execute("ROLLBACK")
    finally:
        holder.close()


@contextlib.contextmanager
def advisory_lock_held(key: int) -> Iterator[None]:
    """Hold the advisory lock `key` (a session lock: it conflicts with the transaction-level
    locks the tracker takes on the same key) until the block ends."""
    holder = connections.create_connection("default")
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [key])
        yield
    finally:
        holder.close()  # the session ends: its locks go with it


def sessions_waiting_for_a_lock() -> list[int]:
    """Backends of this database waiting for a heavyweight lock (a row, a transaction, an
    advisory lock), from pg_stat_activity."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT pid FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock'
               AND pid <> pg_backend_pid()
             ORDER BY pid
            """
        )
        return [row[0] for row in cursor.fetchall()]


def wait_for_sessions_waiting_for_a_lock(count: int, *, timeout: float = 15) -> list[int]:
    return wait_until(
        lambda: (pids := sessions_waiting_for_a_lock()) and len(pids) >= count and pids,
        timeout=timeout,
        what=f"{count} session(s) wait for a lock",
    )


def sessions_waiting_for_advisory_lock(key: int) -> list[int]:
    """Backends of this database that asked for the advisory lock `key` and wait for it."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT pid FROM pg_locks
             WHERE locktype = 'advisory' AND NOT granted
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
               AND classid = %(high)s AND objid = %(low)s AND objsubid = 1
            """,
            {"high": key >> 32, "low": key & 0xFFFFFFFF},
        )
        return [row[0] for row in cursor.fetchall()]


def wait_for_a_session_waiting_for_advisory_lock(key: int, *, timeout: float = 30) -> int:
    """The pid of the backend that waits for the advisory lock `key`, once one does."""
    pids = wait_until(
        lambda: sessions_waiting_for_advisory_lock(key),
        timeout=timeout,
        what=f"a session waits for the advisory lock {key:#x}",
    )
    assert len(pids) == 1, pids
    return pids[0]


def backend_exists(pid: int) -> bool:
    """Is the PostgreSQL backend `pid` still there?"""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return bool(cursor.fetchone()[0])
