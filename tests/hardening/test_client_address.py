"""Attacks on the way in: a forged X-Forwarded-For against the limits, token guessing, chunked
bodies under gunicorn. (What /health/ tells strangers is tests/config/test_health.py.)

The limits count fixed windows of wall-clock time: each test that fills one freezes the clock,
so that no window ends in the middle of it.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import api_token_create
from config.addresses import client_ip
from tests.api_fixtures import client_with_token, problem_fields
from tests.factories import make_user
from tests.hardening.servers import WebServer, app_environment, database_url_for

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
READ = "/api/v1/statuses/"
CLIENT, OTHER, PROXY = "198.51.100.1", "198.51.100.2", "127.0.0.1"


@pytest.fixture
def frozen_clock():
    with time_machine.travel(timezone.now(), tick=False):
        yield


def _forged(number: int) -> str:
    return f"203.0.113.{number}"


# --- one client address, for every limit ---------------------------------------------------------


@pytest.mark.parametrize("environment_value", ["", "0"])
def test_an_empty_or_zero_proxy_count_means_no_proxy(environment_value):
    code = "from django.conf import settings; print(repr(settings.API_NUM_PROXIES))"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "API_NUM_PROXIES": environment_value,
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "0"


class FakeRequest:
    def __init__(self, **meta):
        self.META = meta


@pytest.mark.parametrize(
    "proxies, meta, expected",
    [
        (0, {"REMOTE_ADDR": CLIENT, "HTTP_X_FORWARDED_FOR": _forged(1)}, CLIENT),
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{_forged(1)}, {CLIENT}"}, CLIENT),
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f" {CLIENT} "}, CLIENT),
        (
            2,
            {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{_forged(1)}, {CLIENT}, 10.0.0.2"},
            CLIENT,
        ),
        # Fewer addresses than proxies: what was forwarded cannot be told from what was forged.
        (2, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": _forged(1)}, PROXY),
        (1, {"REMOTE_ADDR": PROXY}, PROXY),
    ],
)
def test_the_client_address(proxies, meta, expected, settings):
    settings.API_NUM_PROXIES = proxies
    assert client_ip(FakeRequest(**meta)) == expected


def _anonymous_limit(settings, rate: str) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "anon": rate,
        },
    }


@pytest.mark.parametrize("proxies", [0, 1])
def test_a_forged_x_forwarded_for_does_not_reset_the_anonymous_limit(
    proxies, settings, frozen_clock
):
    settings.API_NUM_PROXIES = proxies
    _anonymous_limit(settings, "3/min")

    def get(number: int, client: str = CLIENT):
        # Direct: the client connects itself. Behind one proxy: the proxy connects and appends
        # the address it was connected from to whatever the client sent.
        if proxies == 0:
            meta = {"REMOTE_ADDR": client, "HTTP_X_FORWARDED_FOR": _forged(number)}
        else:
            meta = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{_forged(number)}, {client}"}
        return APIClient().get(READ, **meta).status_code

    assert [get(number) for number in range(1, 4)] == [200, 200, 200]
    assert [get(number) for number in range(4, 9)] == [429] * 5
    assert get(9, client=OTHER) == 200  # the control: another client is counted apart


@pytest.fixture
def admin_user(db):
    return make_user(username="admin", is_staff=True, is_superuser=True)


@pytest.mark.parametrize("proxies", [0, 1])
def test_a_forged_x_forwarded_for_does_not_escape_the_login_lockout(proxies, admin_user, settings):
    settings.API_NUM_PROXIES = proxies

    def login(password: str, number: int, client: str = CLIENT) -> int:
        if proxies == 0:
            meta = {"REMOTE_ADDR": client, "HTTP_X_FORWARDED_FOR": _forged(number)}
        else:
            meta = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{_forged(number)}, {client}"}
        data = {"username": "admin", "password": password, "next": "/admin/"}
        return Client().post("/admin/login/", data, **meta).status_code

    assert settings.AXES_FAILURE_LIMIT == 5
    assert [login("wrong", number) for number in range(1, 6)] == [200, 200, 200, 200, 429]
    assert login("pw-admin", 6) == 429  # the right password, another forged address: locked
    assert login("pw-admin", 7, client=OTHER) == 302  # the control: the real other client


# --- failed token checks ---------------------------------------------------------------------


BAD = "Bearer ct_00000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"


def test_failed_token_checks_are_limited_per_address_the_right_token_included(
    settings, frozen_clock
):
    settings.API_THROTTLE_AUTH_FAILURES = "3/min"
    good = api_token_create(user=make_user(username="reader"), name="ngo").key

    def ask(authorization: str | None, address: str = CLIENT, forged: int = 1):
        meta = {"REMOTE_ADDR": address, "HTTP_X_FORWARDED_FOR": _forged(forged)}
        if authorization:
            meta["HTTP_AUTHORIZATION"] = authorization
        return APIClient().get(READ, **meta)

    malformed = ["Bearer", "Token a b", BAD]
    assert [ask(header, forged=n).status_code for n, header in enumerate(malformed)] == [401] * 3
    refused = ask(BAD, forged=7)
    assert refused.status_code == 429
    assert problem_fields(refused) == {} and refused.json()["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 60
    # A guesser cannot tell a hit: the right token from there is refused alike.
    assert ask(f"Bearer {good}", forged=8).status_code == 429
    # Reading without a token is the anonymous limit's business, not this one's.
    assert ask(None).status_code == 200
    # Counted per address: another client's tokens are checked as ever.
    assert ask(f"Bearer {good}", address=OTHER).status_code == 200
    assert ask(BAD, address=OTHER).status_code == 401


def test_the_failed_token_limit_is_on_by_default(settings):
    assert settings.API_THROTTLE_AUTH_FAILURES == "20/min"


def test_a_valid_token_is_never_counted_as_a_failure(settings, frozen_clock):
    settings.API_THROTTLE_AUTH_FAILURES = "2/min"
    client = client_with_token(api_token_create(user=make_user(username="r"), name="t").key)
    assert [client.get(READ, REMOTE_ADDR=CLIENT).status_code for _ in range(5)] == [200] * 5


# --- chunked request bodies under gunicorn ---------------------------------------------------


@pytest.fixture
def gunicorn(tmp_path):
    env = app_environment(
        database_url=database_url_for(connection.settings_dict["NAME"]),
        broker_url=os.environ["CELERY_BROKER_URL"],
    )
    server = WebServer(env=env, log=tmp_path / "gunicorn.log")
    try:
        yield server.start()
    finally:
        server.close()


def _raw_post(port: int, path: str, head: dict[str, str], body: bytes) -> tuple[int, bytes]:
    """Send a request as bytes on a socket; the answer's status and body. The body is sent by
    a thread of its own, so an answer given before the body is read is still received."""
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in head.items()]
    with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("ascii"))

        def send_body():
            with contextlib.suppress(OSError):  # the server answered and closed first
                sock.sendall(body)

        sender = threading.Thread(target=send_body, daemon=True)
        sender.start()
        received = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                received += chunk
        sender.join(timeout=120)
    assert received, "no answer"
    answer = http.client.HTTPResponse(_Received(received))  # parses a chunked answer too
    answer.begin()
    return answer.status, answer.read()


class _Received:
    """What the socket received, as http.client reads a socket."""

    def __init__(self, data: bytes):
        self.data = data

    def makefile(self, *args, **kwargs):
        return io.BytesIO(self.data)


def _chunked(data: bytes, size: int = 64 * 1024) -> bytes:
    parts = [data[i : i + size] for i in range(0, len(data), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts) + b"0\r\n\r\n"


JSON = {"Content-Type": "application/json", "Accept": "application/json"}


def test_a_chunked_body_is_refused_with_411_not_read_as_empty(gunicorn):
    small = json.dumps({"title": "A chunked source", "kind": "news_report"}).encode()
    large = json.dumps({"text": "x" * 3 * 1024 * 1024}).encode()
    for body in (small, large):
        status, answer = _raw_post(
            gunicorn.port,
            "/api/v1/sources/",
            {**JSON, "Transfer-Encoding": "chunked"},
            _chunked(body),
        )
        assert status == 411, (len(body), answer[:300])
        assert json.loads(answer)["code"] == "length_required"
    # The control: the same 3 MB with its length is refused for its size, unread.
    status, answer = _raw_post(
        gunicorn.port, "/api/v1/sources/", {**JSON, "Content-Length": str(len(large))}, large
    )
    assert status == 413, answer[:300]
