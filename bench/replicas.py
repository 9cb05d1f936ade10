"""The bench's streaming replica: a private PostgreSQL (pgserver) holding a copy of the API
dataset, and `pg_basebackup -R` of it started as a second server (config.embedded's
StreamingReplica), for list and detail reads by a token reader with and without the replica
(bench/run.py measures both, same run, alternating). The machine's PostgreSQL allows no
replication connections, so the primary is a server of the bench's own; both configurations
read it, so the comparison is like for like.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg

from bench.children import BASE_DIR, log, migrate

DATABASE = "tracker_bench_replicated"
# The migrations' own record, and the bench's marker of its dataset (bench/data.py).
NOT_COPIED = ("django_migrations", "bench_dataset")
# Every table the migrations filled (groups, permissions, ...), emptied for the dataset's rows.
TRUNCATE_ALL = """
DO $$ DECLARE names text; BEGIN
  SELECT string_agg(format('%I', tablename), ', ') INTO names FROM pg_tables
  WHERE schemaname = 'public' AND tablename <> 'django_migrations';
  EXECUTE 'TRUNCATE ' || names || ' CASCADE';
END $$;"""
READER_TOKEN = """
from accounts.services import api_token_create
from django.contrib.auth import get_user_model
reader, _ = get_user_model().objects.get_or_create(username="bench-replica-reader")
print(api_token_create(user=reader, name="bench").key)
"""


@dataclass
class ReplicatedDatabase:
    primary_url: str
    replica_url: str
    token: str
    _server: object
    _replica: object
    _directory: Path

    def stop(self) -> None:
        self._replica.close()
        self._server.cleanup()
        shutil.rmtree(self._directory, ignore_errors=True)


def replicated_database(*, source_dsn: str, env: dict, logs: Path) -> ReplicatedDatabase:
    """The API dataset (`source_dsn`) copied into a private primary, its replica started and
    caught up, and a reader's token (not staff) made on the primary."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

    from config.embedded import StreamingReplica

    directory = Path(tempfile.mkdtemp(prefix="bench-pg-"))  # short: a socket's path limit
    server = pgserver.get_server(directory / "pgdata", cleanup_mode="delete")
    bin_dir = Path(pgserver.__file__).parent / "pginstall" / "bin"
    socket_dir = server.get_postmaster_info().socket_dir
    server.psql(f"CREATE DATABASE {DATABASE};")
    primary_url = f"postgres://postgres@/{DATABASE}?host={quote(str(socket_dir))}"
    dump = directory / "dump"
    log(f"replicas: copying the API dataset into a private primary ({directory})")
    with (logs / "replicas-copy.log").open("w") as out:
        # The schema from the migrations, the rows from the dataset: a schema dump carries
        # the source server's own storage options, which another build may not know.
        migrate({**env, "DATABASE_URL": primary_url}, logs / "replicas-migrate.log")
        _sql(socket_dir, TRUNCATE_ALL)
        excluded = [f"--exclude-table={table}" for table in NOT_COPIED]
        rows = ("--data-only", *excluded, "-Fc", "-f", str(dump))
        subprocess.run(
            [str(bin_dir / "pg_dump"), "-d", source_dsn, *rows],
            check=True, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        target = ("-h", str(socket_dir), "-U", "postgres", "-d", DATABASE)
        whole = ("--data-only", "--disable-triggers", "--exit-on-error", "--single-transaction")
        subprocess.run(
            [str(bin_dir / "pg_restore"), *target, *whole, str(dump)],
            check=True, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    shutil.rmtree(dump, ignore_errors=True)
    _sql(socket_dir, "ANALYZE")
    replica = StreamingReplica(server).start(database=DATABASE)
    token = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", READER_TOKEN],
        cwd=BASE_DIR, env={**env, "DATABASE_URL": primary_url},
        check=True, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    _caught_up(replica)
    log(f"replicas: primary and replica up ({replica.url})")
    return ReplicatedDatabase(primary_url, replica.url, token, server, replica, directory)


def _sql(socket_dir, statement: str) -> None:
    with psycopg.connect(host=str(socket_dir), user="postgres", dbname=DATABASE) as conn:
        conn.autocommit = True
        conn.execute(statement)


def _caught_up(replica, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        count = replica.psql(
            "SELECT count(*) FROM accounts_apitoken t JOIN auth_user u ON u.id = t.user_id "
            "WHERE u.username = 'bench-replica-reader'",
            database=DATABASE,
        )
        if count.isdigit() and int(count) > 0:
            return
        time.sleep(0.2)
    raise RuntimeError("the replica did not replay the reader's token in time")


def reader_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept": "application/json"}
