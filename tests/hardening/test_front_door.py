"""The front door: the committed nginx template (deploy/nginx/), rendered and run by the
distribution's nginx in front of a real gunicorn serving the production settings on the test
database, as docker-compose.yml runs them; and /metrics, which gunicorn's workers add up
between them and the front door hides.

Each promise is checked against gunicorn alone first where that is possible (the attack holds
it, a forged X-Forwarded-For fools it), so a test that passes says the proxy made the
difference.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from accounts.services import api_token_create
from deploy.frontdoor import NginxServer
from tests.factories import make_commitment, make_user
from tests.hardening.servers import (
    BASE_DIR,
    STARTUP_SECONDS,
    LoggedProcess,
    Reply,
    app_environment,
    database_url_for,
    free_port,
    wait_until,
)

pytestmark = pytest.mark.faults

DOCKERFILE_CMD = json.loads(
    re.search(r"^CMD\s+(.+)$", (BASE_DIR / "Dockerfile").read_text(), re.MULTILINE).group(1)
)
# As many sockets as the Dockerfile's gunicorn has sync workers: enough to hold them all.
WORKERS = int(DOCKERFILE_CMD[DOCKERFILE_CMD.index("--workers") + 1])
INCOMPLETE_REQUEST = b"GET /api/v1/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"  # no blank line: never ends
BODY_LIMIT = settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class Gunicorn:
    """The app under gunicorn with the Dockerfile's sync workers and production settings, its
    access log saying what X-Forwarded-For each request arrived with."""

    def __init__(self, directory: Path, *, workers: int, **env: str):
        self.port = free_port()
        self.log = directory / "gunicorn.log"
        # The public pages' static files, collected as the Dockerfile does: the production
        # settings' manifest names them.
        static_root = directory / "static"
        environment = app_environment(
            database_url=database_url_for(settings.DATABASES["default"]["NAME"]),
            broker_url=os.environ["CELERY_BROKER_URL"],
            DJANGO_SETTINGS_MODULE="config.settings.production",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DJANGO_SECURE_SSL_REDIRECT="false",
            API_NUM_PROXIES="1",  # as docker-compose.yml sets it
            CACHE_KEY_PREFIX=f"front-door-{uuid.uuid4().hex}",  # throttle counts of its own
            DJANGO_STATIC_ROOT=str(static_root),
            # As the image sets it: the workers count in files there (config/gunicorn.py).
            PROMETHEUS_MULTIPROC_DIR=str(directory / "metrics"),
            **env,
        )
        self.metrics_dir = Path(environment["PROMETHEUS_MULTIPROC_DIR"])
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=BASE_DIR,
            env=environment,
            check=True,
            timeout=300,
        )
        self.process = LoggedProcess(
            [
                *(sys.executable, "-m", "gunicorn", "config.wsgi:application"),
                *DOCKERFILE_CMD[DOCKERFILE_CMD.index("--config") :][:2],
                *("--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)),
                *("--timeout", "60", "--graceful-timeout", "5", "--no-control-socket"),
                *("--access-logfile", "-", "--error-logfile", "-"),
                *("--access-logformat", '"%(r)s" %(s)s xff=%({x-forwarded-for}i)s'),
            ],
            env=environment,
            log=self.log,
        )
        wait_until(
            lambda: _answers(self.port, "/health/"), timeout=STARTUP_SECONDS, what="gunicorn"
        )

    def requests_for(self, request: str, *, at_least: int = 0) -> list[str]:
        """The access log's lines for `request` ("GET /path", with or without a query), once
        there are `at_least` (gunicorn writes a line after it sent the answer)."""
        pattern = re.compile(f'"{re.escape(request)}[ ?]')

        def lines() -> list[str]:
            found = [line for line in self.process.output().splitlines() if pattern.match(line)]
            return found if len(found) >= at_least else []

        if at_least:
            return wait_until(lines, timeout=30, what=f"gunicorn logs {at_least} {request}")
        return lines()

    def close(self) -> None:
        self.process.close()


def _request(
    port: int, method: str, path: str, headers: dict | None = None, *, timeout: float = 60
) -> Reply:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, headers={"Accept": "application/json", **(headers or {})})
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    headers = {name.lower(): value for name, value in response.getheaders()}
    return Reply(status=response.status, headers=headers, body=body, seconds=0)


def _answers(port: int, path: str) -> bool:
    try:
        return _request(port, "GET", path, timeout=5).status == 200
    except OSError:
        return False


@contextlib.contextmanager
def _incomplete_requests(port: int, count: int):
    """`count` connections, each having sent the start of a request and then nothing."""
    sockets = []
    try:
        for _ in range(count):
            attacker = socket.create_connection(("127.0.0.1", port), timeout=10)
            attacker.sendall(INCOMPLETE_REQUEST)
            sockets.append(attacker)
        yield sockets
    finally:
        for attacker in sockets:
            attacker.close()


@pytest.fixture(scope="module")
def front_door(tmp_path_factory, django_db_setup):
    """gunicorn as the Dockerfile runs it, and nginx in front; anonymous answers kept for long
    enough that no test depends on its own speed."""
    directory = tmp_path_factory.mktemp("front-door")
    app = Gunicorn(directory, workers=WORKERS, API_CACHE_SECONDS="600")
    proxy = None
    try:
        proxy = NginxServer(
            upstream=f"127.0.0.1:{app.port}", body_limit=BODY_LIMIT, directory=directory / "nginx"
        ).start()
        yield app, proxy
    finally:
        if proxy is not None:
            proxy.stop()
        app.close()


# --- idle sockets ------------------------------------------------------------------------------


def test_incomplete_requests_hold_gunicorn_but_not_the_front_door(front_door):
    app, proxy = front_door

    # gunicorn alone: each sync worker waits for the rest of its request; /health/ waits too.
    with _incomplete_requests(app.port, WORKERS), pytest.raises(TimeoutError):
        _request(app.port, "GET", "/health/", timeout=3)
    wait_until(lambda: _answers(app.port, "/health/"), timeout=60, what="gunicorn recovers")

    # Through nginx: it reads requests itself; gunicorn never sees the incomplete ones.
    with _incomplete_requests(proxy.port, WORKERS) as attackers:
        health = _request(proxy.port, "GET", "/health/", timeout=30)
        still_open = [attacker.fileno() != -1 for attacker in attackers]

    assert health.status == 200, health.body
    assert all(still_open)
    assert app.requests_for("GET /api/v1/") == []


# --- X-Forwarded-For -----------------------------------------------------------------------------


def test_a_forged_x_forwarded_for_is_replaced_by_the_address_that_connected(
    tmp_path, django_db_setup
):
    app = Gunicorn(tmp_path, workers=1, API_THROTTLE_ANON="3/min", API_CACHE_SECONDS="600")
    proxy = None
    try:
        proxy = NginxServer(
            upstream=f"127.0.0.1:{app.port}", body_limit=BODY_LIMIT, directory=tmp_path / "nginx"
        ).start()

        # gunicorn alone believes the header: each forged address is a new client.
        direct = [
            _request(app.port, "GET", "/api/v1/statuses/", {"X-Forwarded-For": f"6.6.6.{n}"})
            for n in range(5)
        ]
        # Through nginx, whatever the header says, the client is the one address (distinct
        # URLs: none is answered from the cache).
        proxied = [
            _request(
                proxy.port,
                "GET",
                f"/api/v1/commitments/?page_size={n + 1}",
                {"X-Forwarded-For": f"7.7.7.{n}, 8.8.8.{n}"},
            )
            for n in range(4)
        ]
        seen = [
            line.rsplit("xff=", 1)[1]
            for line in app.requests_for("GET /api/v1/commitments/", at_least=4)
        ]
    finally:
        if proxy is not None:
            proxy.stop()
        app.close()

    assert [reply.status for reply in direct] == [200] * 5
    assert [reply.status for reply in proxied] == [200, 200, 200, 429]
    assert seen == ["127.0.0.1"] * 4


# --- oversize bodies ----------------------------------------------------------------------------


def _post_head(port: int, length: int, body: bytes = b"") -> bytes:
    """Send a POST's head with this Content-Length (and `body`); the status line answered."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as conn:
        conn.sendall(
            b"POST /api/v1/commitments/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nConnection: close\r\n"
            + f"Content-Length: {length}\r\n\r\n".encode()
            + body
        )
        return conn.makefile("rb").readline()


def test_a_body_over_the_apps_limit_is_refused_by_nginx_and_one_at_the_limit_passes(front_door):
    app, proxy = front_door

    refused = _post_head(proxy.port, BODY_LIMIT + 1)  # the body is never sent
    at_limit = _post_head(proxy.port, BODY_LIMIT, b" " * BODY_LIMIT)

    assert refused.startswith(b"HTTP/1.1 413"), refused
    assert not at_limit.startswith(b"HTTP/1.1 413"), at_limit
    # Only the one at the limit reached the app (which refused the anonymous write).
    posts = app.requests_for("POST /api/v1/commitments/", at_least=1)
    assert [line.split('" ')[1] for line in posts] == ["401 xff=127.0.0.1"]


# --- the cache ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_second_anonymous_read_is_answered_by_nginx_and_a_token_never_is(front_door):
    app, proxy = front_door
    token = api_token_create(user=make_user(username="ngo"), name="ngo").key
    with_token = {"Authorization": f"Bearer {token}"}
    with_session = {"Cookie": "sessionid=anything"}
    path = "/api/v1/commitments/?page_size=7"

    first = _request(proxy.port, "GET", path)
    second = _request(proxy.port, "GET", path)
    assert (first.status, first.headers["x-cache-status"]) == (200, "MISS")
    assert first.headers["cache-control"] == "public, max-age=600"
    assert (second.status, second.headers["x-cache-status"]) == (200, "HIT")
    assert second.body == first.body
    assert len(app.requests_for(f"GET {path}", at_least=1)) == 1

    for headers in (with_token, with_token, with_session):
        answer = _request(proxy.port, "GET", path, headers)
        assert (answer.status, answer.headers["x-cache-status"]) == (200, "BYPASS")
        assert answer.headers["cache-control"] == "private, no-cache"
    assert len(app.requests_for(f"GET {path}", at_least=4)) == 4

    # An answer to a token is not stored either: the next anonymous read goes to the app.
    other = "/api/v1/commitments/?page_size=8"
    _request(proxy.port, "GET", other, with_token)
    assert _request(proxy.port, "GET", other).headers["x-cache-status"] == "MISS"
    assert len(app.requests_for(f"GET {other}", at_least=2)) == 2


def test_an_unchanged_anonymous_poll_is_a_304_from_nginx(front_door):
    app, proxy = front_door
    path = "/api/v1/alerts/?after=0"

    first = _request(proxy.port, "GET", path)
    again = _request(proxy.port, "GET", path, {"If-None-Match": first.headers["etag"]})

    assert first.status == 200
    assert (again.status, again.headers["x-cache-status"]) == (304, "HIT")
    assert again.headers["etag"] == first.headers["etag"]
    assert len(app.requests_for(f"GET {path}", at_least=1)) == 1


# --- languages ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_each_language_is_cached_apart_and_its_header_variants_share_one_entry(front_door):
    """The cache keys on the language the app answers in (deploy/nginx: the first of the
    app's languages the header names), not on the raw header: a Russian reader never gets an
    English page, and "ru" and "ru-RU,ru;q=0.9" are one entry."""
    app, proxy = front_door
    make_commitment(
        reference="LANG-1",
        title="Regional forum in Ashgabat",
        translations={
            "ru": {"title": "Региональный форум в Ашхабаде"},
            "tk": {"title": "Aşgabatda sebit forumy"},
        },
    )
    path = "/api/v1/commitments/LANG-1/"

    english = _request(proxy.port, "GET", path)
    russian = _request(proxy.port, "GET", path, {"Accept-Language": "ru"})
    assert (english.headers["x-cache-status"], russian.headers["x-cache-status"]) == (
        "MISS",
        "MISS",
    )
    assert json.loads(english.body)["title"] == "Regional forum in Ashgabat"
    assert json.loads(russian.body)["title"] == "Региональный форум в Ашхабаде"
    assert russian.headers["content-language"] == "ru"

    for header in ("ru-RU,ru;q=0.9,en;q=0.8", "ru-ru", "de-DE, ru;q=0.5"):
        again = _request(proxy.port, "GET", path, {"Accept-Language": header})
        assert again.headers["x-cache-status"] == "HIT", header
        assert again.body == russian.body
    for header in ("en-GB,en;q=0.9", "de", ""):
        again = _request(proxy.port, "GET", path, {"Accept-Language": header})
        assert again.headers["x-cache-status"] == "HIT", header
        assert again.body == english.body
    turkmen = _request(proxy.port, "GET", path, {"Accept-Language": "tk-TM"})
    assert turkmen.headers["x-cache-status"] == "MISS"
    assert json.loads(turkmen.body)["title"] == "Aşgabatda sebit forumy"
    # ?lang= is in the URL: its own entry, whatever the header.
    by_parameter = _request(proxy.port, "GET", f"{path}?lang=ru", {"Accept-Language": "tk"})
    assert json.loads(by_parameter.body)["title"] == "Региональный форум в Ашхабаде"
    # The app answered once a language, and once for ?lang=.
    assert len(app.requests_for(f"GET {path}", at_least=4)) == 4


@pytest.mark.django_db(transaction=True)
def test_the_public_pages_are_cached_per_language_through_the_front_door(front_door):
    app, proxy = front_door
    make_commitment(
        reference="LANG-2",
        title="Training on cyber security",
        translations={"ru": {"title": "Обучение по кибербезопасности"}},
    )
    html = {"Accept": "text/html"}
    pages = {
        language: _request(proxy.port, "GET", f"/{language}/commitments/LANG-2/", html)
        for language in ("en", "ru")
    }
    assert pages["ru"].status == 200
    assert "Обучение по кибербезопасности" in pages["ru"].body.decode()
    assert "Обучение по кибербезопасности" not in pages["en"].body.decode()
    # Each kept apart, whatever the reader's header: the path says the language.
    for language in ("en", "ru"):
        path = f"/{language}/commitments/LANG-2/"
        again = _request(proxy.port, "GET", path, {**html, "Accept-Language": "tk"})
        assert (again.headers["x-cache-status"], again.body) == ("HIT", pages[language].body)
        assert len(app.requests_for(f"GET {path}", at_least=1)) == 1
    # The root sends each reader to their language; the answer is never another's.
    for header, language in (("ru-RU,ru;q=0.9", "ru"), ("en-US", "en"), ("tk", "tk")):
        redirect = _request(proxy.port, "GET", "/", {**html, "Accept-Language": header})
        assert redirect.status == 302
        assert redirect.headers["location"].endswith(f"/{language}/"), header


# --- /metrics -------------------------------------------------------------------------------


def _view_requests(samples: dict, view_part: str) -> float:
    return sum(
        sample.value
        for sample in samples.get("django_http_requests_total_by_view_transport_method_total", [])
        if view_part in sample.labels["view"]
    )


def _scrape(port: int) -> dict:
    from tests.metrics.helpers import samples_of

    reply = _request(port, "GET", "/metrics")
    assert reply.status == 200, reply.body
    return samples_of(reply.body.decode())


def test_metrics_answer_inside_but_the_front_door_hides_them_from_everyone(front_door):
    app, proxy = front_door

    direct = _request(app.port, "GET", "/metrics")
    through = [
        _request(proxy.port, "GET", "/metrics", headers)
        for headers in ({}, {"X-Forwarded-For": "127.0.0.1"}, {"Authorization": "Bearer x"})
    ]
    slashed = _request(proxy.port, "GET", "/metrics/")

    assert direct.status == 200 and b"tracker_commitments" in direct.body
    assert [reply.status for reply in through] == [404, 404, 404]
    assert app.requests_for("GET /metrics", at_least=1)  # only the direct one reached it
    assert len(app.requests_for("GET /metrics")) == 1
    # Anything else reaches the app, which knows no /metrics/ (and refuses the public).
    assert slashed.status in {403, 404}


def test_the_workers_counts_add_up_across_gunicorn_processes(front_door):
    """Requests spread over the Dockerfile's workers; /metrics from any one of them counts
    every worker's, and each worker's own file holds its part."""
    from concurrent.futures import ThreadPoolExecutor

    from prometheus_client import CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    app, _proxy = front_door
    before = _view_requests(_scrape(app.port), "status")
    sent = 0

    def per_worker() -> dict[int, float]:
        counts = {}
        for counter in app.metrics_dir.glob("counter_*.db"):
            pid = int(counter.stem.split("_")[1])
            alone = app.metrics_dir.parent / f"metrics-of-{pid}"
            alone.mkdir(exist_ok=True)
            (alone / counter.name).write_bytes(counter.read_bytes())
            registry = CollectorRegistry()
            MultiProcessCollector(registry, path=str(alone))
            counts[pid] = _view_requests(_samples_by_name(registry), "status")
        return counts

    def spread() -> dict[int, float] | None:
        nonlocal sent
        with ThreadPoolExecutor(max_workers=12) as pool:
            replies = list(
                pool.map(lambda _: _request(app.port, "GET", "/api/v1/statuses/"), range(24))
            )
        assert {reply.status for reply in replies} == {200}
        sent += len(replies)
        counts = per_worker()
        return counts if sum(1 for n in counts.values() if n > 0) >= 2 else None

    counts = wait_until(spread, timeout=120, what="two gunicorn workers served requests")
    total = _view_requests(_scrape(app.port), "status")

    assert total - before == sent
    assert sum(counts.values()) == total
    assert all(n < total for n in counts.values())


def _samples_by_name(registry) -> dict:
    samples: dict = {}
    for family in registry.collect():
        for sample in family.samples:
            samples.setdefault(sample.name, []).append(sample)
    return samples
