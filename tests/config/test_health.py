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

# HEALTH_ASK (JSON) says who asks: "meta" (REMOTE_ADDR, HTTP_X_FORWARDED_FOR) and "staff" (a
# staff session, made in a transaction that is rolled back). The test client's own address is
# 127.0.0.1: internal.
ASK_HEALTH = """
import contextlib, json, os, django
django.setup()
from django.db import transaction
from django.test import Client
ask = json.loads(os.environ.get("HEALTH_ASK", "{}"))
client = Client()
with transaction.atomic() if ask.get("staff") else contextlib.nullcontext():
    if ask.get("staff"):
        from tests.factories import make_user
        client.force_login(make_user(username="health-staff", is_staff=True))
    response = client.get("/health/", **ask.get("meta", {}))
    if ask.get("staff"):
        transaction.set_rollback(True)
print(json.dumps({"status": response.status_code, "body": response.json()}))
"""


def _dead_port() -> int:
    """A loopback port with nothing listening on it (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _health_in_child(**overrides: str) -> dict:
    from tests.hardening.servers import database_url_for

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url_for(),
        **overrides,
    }
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


OUTSIDE = {"REMOTE_ADDR": "203.0.113.7"}


def _dead_database() -> str:
    return f"postgres://postgres@127.0.0.1:{_dead_port()}/none"


def test_an_outside_caller_reads_what_is_down_but_not_why():
    answer = _health_in_child(
        DATABASE_URL=_dead_database(), HEALTH_ASK=json.dumps({"meta": OUTSIDE})
    )

    assert answer["status"] == 503
    # Exactly this: no exception class, host, port or driver message.
    assert answer["body"] == {
        "status": "unavailable",
        "checks": {"database": "down", "broker": "ok"},
    }


def test_behind_a_proxy_the_client_address_decides_not_the_proxys():
    """The proxy connects from loopback; the address it forwards is outside."""
    behind_proxy = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    answer = _health_in_child(
        DATABASE_URL=_dead_database(),
        API_NUM_PROXIES="1",
        HEALTH_ASK=json.dumps({"meta": behind_proxy}),
    )
    assert answer["body"]["checks"]["database"] == "down"


def test_an_internal_network_reads_why():
    answer = _health_in_child(
        DATABASE_URL=_dead_database(),
        HEALTH_INTERNAL_NETWORKS="192.0.2.0/24,10.0.0.0/8",
        HEALTH_ASK=json.dumps({"meta": {"REMOTE_ADDR": "10.1.2.3"}}),
    )
    assert answer["body"]["checks"]["database"].startswith("down: OperationalError")


@pytest.mark.django_db
def test_a_staff_session_reads_why_from_anywhere():
    from tests.hardening.servers import database_url_for

    dead = f"redis://127.0.0.1:{_dead_port()}/0"
    # The test database: the child makes its staff user there and rolls it back.
    database = database_url_for()
    for staff in (False, True):
        answer = _health_in_child(
            DATABASE_URL=database,
            CELERY_BROKER_URL=dead,
            CACHE_URL=dead,
            HEALTH_ASK=json.dumps({"meta": OUTSIDE, "staff": staff}),
        )
        assert answer["status"] == 503
        assert answer["body"]["checks"]["database"] == "ok"
        broker = answer["body"]["checks"]["broker"]
        if staff:
            assert broker.startswith("down: ") and len(broker) > len("down: "), broker
        else:
            assert broker == "down"
