"""Reads past one database, against a real streaming replica: a private primary
(pgserver), `pg_basebackup -R` of it started as a second server on a port of its own, and
the app under gunicorn with DATABASE_REPLICA_URLS naming the replica. Writes go through the
API; the replica's replay is paused and resumed with PostgreSQL's own functions, so which
server answered a read shows in what it sees."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from config.embedded import StreamingReplica
from config.replicas import LAG_SQL
from tests.hardening.servers import (
    BASE_DIR,
    PostgresServer,
    RedisServer,
    WebServer,
    app_environment,
    wait_until,
)

pytestmark = pytest.mark.faults

DATABASE = "tracker"
QUOTE = "a national cyber-security programme will run for 2025-2027"
# Two staff tokens (staff see drafts): the one that writes, and another reader.
SETUP = f"""
import json
from accounts.services import api_token_create
from django.contrib.auth import get_user_model
from sources.choices import SourceKind
from sources.services import source_create

users = get_user_model().objects
writer = users.create_superuser("writer", password="x")
reader = users.create_superuser("reader", password="x")
source = source_create(title="Programme news", kind=SourceKind.NEWS_REPORT,
    text="It said {QUOTE}.", publisher="Test News", published="2024-09-13")
print(json.dumps({{"writer": api_token_create(user=writer, name="w").key,
    "reader": api_token_create(user=reader, name="r").key, "source": source.pk}}))
"""


def _manage(env: dict, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR, env=env, check=True, capture_output=True, text=True, timeout=600,
    ).stdout  # fmt: skip


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A migrated primary with two tokens and a source, and its replica, caught up."""
    directory = tmp_path_factory.mktemp("replicas")
    primary = PostgresServer().start(database=DATABASE)
    replica = StreamingReplica(primary._server)
    broker = RedisServer(directory).start()
    try:
        env = app_environment(database_url=primary.url, broker_url=broker.url)
        _manage(env, "migrate", "--noinput", "-v", "0")
        world = json.loads(_manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])
        replica.start(database=DATABASE)
        assert replica.psql("SELECT pg_is_in_recovery()", database=DATABASE) == "t"
        yield primary, replica, broker, world, directory
    finally:
        broker.close()
        replica.close()
        primary.close()


def _web(cluster, name: str, **env: str) -> WebServer:
    primary, replica, broker, _world, directory = cluster
    environment = app_environment(
        database_url=primary.url,
        broker_url=broker.url,
        DATABASE_REPLICA_URLS=replica.url,
        CACHE_KEY_PREFIX="replicas",  # the servers share their read-your-writes notes
        **env,
    )
    return WebServer(env=environment, log=directory / f"{name}.log").start()


def _commitment(world: dict, reference: str) -> dict:
    return {
        "reference": reference,
        "title": "National cyber-security programme",
        "kind": "programme",
        "deadline": "for 2025-2027",
        "citations": [{"source": world["source"], "quote": QUOTE}],
    }


def test_the_writer_reads_its_write_others_once_replayed_and_the_primary_when_it_stops(cluster):
    _primary, replica, _broker, world, _directory = cluster
    patient = _web(cluster, "patient", DATABASE_REPLICA_MAX_LAG_SECONDS="300")
    strict = _web(cluster, "strict", DATABASE_REPLICA_MAX_LAG_SECONDS="1")
    writer, reader = world["writer"], world["reader"]
    try:
        # Both servers read the replica while it keeps up.
        assert patient.get("/api/v1/commitments/", token=reader).status == 200

        replica.psql("SELECT pg_wal_replay_pause()")
        created = patient.request(
            "POST", "/api/v1/commitments/", body=_commitment(world, "RR-1"), token=writer
        )
        assert created.status == 201, created.body
        path = f"/api/v1/commitments/{created.json()['id']}/"

        # The writer reads the primary (read-your-writes), on either server.
        assert patient.get(path, token=writer).status == 200
        assert strict.get(path, token=writer).status == 200
        # Another reader reads the replica, which has not replayed the write yet.
        assert patient.get(path, token=reader).status == 404
        # Once the replica is further behind than its limit, that server skips it.
        wait_until(
            lambda: float(replica.psql(LAG_SQL)) > 1.5, timeout=30, what="the replica lags 1.5 s"
        )
        assert strict.get(path, token=reader).status == 200
        assert patient.get(path, token=reader).status == 404

        # Replayed: the other reader sees the write on the replica.
        replica.psql("SELECT pg_wal_replay_resume()")
        wait_until(
            lambda: patient.get(path, token=reader).status == 200,
            timeout=30,
            what="the other reader sees the replayed write",
        )

        # The replica stops: reads go back to the primary, none fails.
        replica.stop()
        replies = [patient.get(path, token=reader) for _ in range(5)]
        replies += [patient.get("/api/v1/commitments/", token=reader) for _ in range(3)]
        assert [reply.status for reply in replies] == [200] * 8
        assert "replica1" in patient.output()
    finally:
        patient.close()
        strict.close()
