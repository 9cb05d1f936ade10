"""`/health/` tells a load balancer whether this process reaches its database and broker.

The outages here are real: a child process is started with the database or the broker
pointed at a port where nothing listens, and asked for /health/ through Django's test client.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

ASK_HEALTH = """
import json, django
django.setup()
from django.test import Client
response = Client().get("/health/")
print(json.dumps({"status": response.status_code, "body": response.json()}))
"""


def _dead_port() -> int:
    """A loopback port with nothing listening on it (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _health_in_child(**overrides: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", **overrides}
    result = subprocess.run(
        [sys.executable, "-c", ASK_HEALTH],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.django_db
def test_health_is_200_when_the_database_and_the_broker_answer(client):
    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}
    assert "no-cache" in response["Cache-Control"]


def test_health_is_503_naming_the_database_when_it_is_down():
    answer = _health_in_child(DATABASE_URL=f"postgres://postgres@127.0.0.1:{_dead_port()}/none")

    assert answer["status"] == 503
    assert answer["body"]["status"] == "unavailable"
    assert answer["body"]["checks"]["database"].startswith("down: OperationalError")
    assert answer["body"]["checks"]["broker"] == "ok"


def test_health_is_503_naming_the_broker_when_it_is_down():
    dead = f"redis://127.0.0.1:{_dead_port()}/0"
    answer = _health_in_child(CELERY_BROKER_URL=dead, CACHE_URL=dead)

    assert answer["status"] == 503
    assert answer["body"]["checks"]["database"] == "ok"
    assert answer["body"]["checks"]["broker"].startswith("down: ")
    assert (
        "Connection refused" in answer["body"]["checks"]["broker"]
        or "111" in (answer["body"]["checks"]["broker"])
    )


@pytest.mark.django_db
def test_health_refuses_writes(client):
    assert client.post("/health/").status_code == 405
