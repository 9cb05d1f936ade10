"""config.db: Django's PostgreSQL backend whose health check polls the socket instead of
sending `SELECT 1`. (The end-to-end proof, PostgreSQL restarted under a running app and
worker, is tests/hardening/test_faults.py.)"""

from __future__ import annotations

import select
import time

import pytest
from django.db import connection

from config.db.base import DatabaseWrapper

pytestmark = pytest.mark.django_db


@pytest.fixture
def other():
    """A second connection to the test database, opened and idle."""
    wrapper = DatabaseWrapper(dict(connection.settings_dict), alias=connection.alias)
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def _backend_pid(wrapper) -> int:
    with wrapper.connection.cursor() as cursor:
        return cursor.execute("SELECT pg_backend_pid()").fetchone()[0]


def test_an_idle_healthy_connection_is_usable_without_a_round_trip(other, monkeypatch):
    assert other.is_usable()

    def no_round_trip(*args, **kwargs):
        raise AssertionError("is_usable sent a statement")

    monkeypatch.setattr(type(other.connection), "cursor", no_round_trip)
    assert other.is_usable()


def test_a_connection_the_server_ended_is_not_usable(other):
    pid = _backend_pid(other)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    # The server's goodbye (an error, then the socket closed) arrives at once.
    poller = select.poll()
    poller.register(other.connection.fileno(), select.POLLIN)
    deadline = time.monotonic() + 5
    while not poller.poll(50) and time.monotonic() < deadline:
        pass

    assert not other.is_usable()
    # What Django does at the start of a request, then before its first query:
    other.close_if_unusable_or_obsolete()
    other.close_if_health_check_failed()
    assert other.connection is None  # dropped: the first query connects afresh
    with other.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert _backend_pid(other) != pid


def test_a_closed_connection_is_not_usable(other):
    other.connection.close()
    assert not other.is_usable()
