"""`manage.py migrate` (common/management/commands/migrate.py) waits for an advisory lock, so
that two runs at once on a new database apply the migrations once and both succeed.

The race is forced, not hoped for: the test holds the lock first, starts both runs, waits until
PostgreSQL shows both waiting for it, and lets go."""

import contextlib
import os
import subprocess
import sys
import uuid

import psycopg
import pytest

from common.management.commands.migrate import MIGRATE_LOCK_KEY
from tests.hardening.servers import BASE_DIR, app_environment, database_url_for, wait_until

MIGRATE_SECONDS = 600  # a whole schema on a loaded machine


@pytest.fixture
def empty_database():
    name = f"tracker_migrate_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(database_url_for("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(database_url_for("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(database: str, *args: str) -> subprocess.Popen:
    env = app_environment(
        database_url=database_url_for(database), broker_url=os.environ["CELERY_BROKER_URL"]
    )
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _waiting_for_the_lock(conn: psycopg.Connection) -> int:
    return conn.execute(
        """
        SELECT count(*) FROM pg_locks
         WHERE locktype = 'advisory' AND NOT granted
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND classid = %(high)s AND objid = %(low)s AND objsubid = 1
        """,
        {"high": MIGRATE_LOCK_KEY >> 32, "low": MIGRATE_LOCK_KEY & 0xFFFFFFFF},
    ).fetchone()[0]


def test_two_migrate_runs_at_once_on_an_empty_database_both_succeed_and_apply_it_once(
    empty_database,
):
    runs = []
    try:
        with psycopg.connect(database_url_for(empty_database), autocommit=True) as holder:
            holder.execute("SELECT pg_advisory_lock(%s)", [MIGRATE_LOCK_KEY])
            runs = [_manage(empty_database, "migrate", "--noinput") for _ in range(2)]

            def both_wait() -> bool:
                for run in runs:
                    assert run.poll() is None, f"migrate did not wait:\n{run.communicate()[0]}"
                return _waiting_for_the_lock(holder) == 2

            wait_until(both_wait, timeout=120, what="both migrate runs wait for the lock")
        # The holder's session ended: its lock went with it, and the two runs race for it.
        outputs = [run.communicate(timeout=MIGRATE_SECONDS)[0] for run in runs]
    finally:
        for run in runs:
            with contextlib.suppress(ProcessLookupError):
                run.kill()

    for run, output in zip(runs, outputs, strict=True):
        assert run.returncode == 0, output
    applied = [output.count(" OK\n") for output in outputs]
    assert min(applied) == 0 and max(applied) > 0, outputs  # one applied, the other found none
    assert "No migrations to apply." in outputs[applied.index(0)]
    check = _manage(empty_database, "migrate", "--check")
    output = check.communicate(timeout=MIGRATE_SECONDS)[0]
    assert check.returncode == 0, f"migrations left unapplied:\n{output}"
