"""A heavy article does not pin the web server: staff paste a megabyte of deadline-like phrases
and a megabyte that is one sentence, open the suggestion page for each, and `/health/` keeps
answering within a second while a real Celery worker works them out, within its time limit.

Real parts: gunicorn with one sync worker (the app's whole capacity, so a request stuck in
the intake would hold `/health/` too), a prefork Celery worker, a Redis of the test's own.
"""

from __future__ import annotations

import pytest
from django.test import Client

from intake.extraction import MAX_TEXT_CHARS
from intake.models import SourceSuggestions, SuggestionsState
from tests.factories import make_editor, make_source
from tests.hardening.servers import (
    CeleryWorker,
    RedisServer,
    WebServer,
    app_environment,
    database_url_for,
    wait_until,
)

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

HEALTH_SECONDS = 1
# The worker's soft time limit is 60 s (INTAKE_SUGGEST_SOFT_TIME_LIMIT); past it the state is
# "failed", which the test counts as a failure: the texts must be done well within it.
COMPUTED_SECONDS = 120

PHRASES = " ".join(
    f"Centre {n} will open by the end of 2025, in November 2024 or for 2025-2027."
    for n in range(14_000)
)
ONE_SENTENCE = "by the end of 2025, in November 2024, for 2025-2027, " * 20_000


@pytest.fixture
def servers(tmp_path):
    redis = RedisServer(tmp_path).start()
    env = app_environment(
        database_url=database_url_for(), broker_url=redis.url, CACHE_KEY_PREFIX="heavy"
    )
    started = [redis]
    try:
        web = WebServer(env=env, log=tmp_path / "web.log").start()
        started.append(web)
        worker = CeleryWorker(env=env, log=tmp_path / "worker.log", name="heavy").start()
        started.append(worker)
        yield web, worker
    finally:
        for server in reversed(started):
            server.close()


def staff_cookie() -> str:
    client = Client()
    client.force_login(make_editor(username="heavy-editor"))
    return f"sessionid={client.cookies['sessionid'].value}"


def test_megabyte_articles_leave_health_answering_while_the_worker_reads_them(servers):
    web, worker = servers
    assert len(PHRASES) > 1_000_000 and len(ONE_SENTENCE) > 1_000_000
    sources = [
        make_source(title=f"Heavy {n}", text=text) for n, text in enumerate([PHRASES, ONE_SENTENCE])
    ]
    cookie = {"Cookie": staff_cookie(), "Accept": "text/html"}

    for source in sources:
        page = web.get(f"/admin/sources/source/{source.pk}/suggest/", headers=cookie)
        assert page.status == 200, page.body[:500]
        assert b"being computed" in page.body

    slowest = 0.0

    def done() -> bool:
        nonlocal slowest
        health = web.get("/health/", timeout=10)
        assert health.status == 200, health.body
        slowest = max(slowest, health.seconds)
        states = set(
            SourceSuggestions.objects.filter(source__in=sources).values_list("state", flat=True)
        )
        return states == {SuggestionsState.READY} or SuggestionsState.FAILED in states

    wait_until(done, timeout=COMPUTED_SECONDS, what="the worker has read both texts")
    assert slowest < HEALTH_SECONDS, f"/health/ took {slowest:.2f} s, with the worker busy"
    for source in sources:
        kept = SourceSuggestions.objects.get(source=source)
        assert (kept.state, kept.error) == (SuggestionsState.READY, "")
        page = web.get(f"/admin/sources/source/{source.pk}/suggest/", headers=cookie)
        assert page.status == 200
        assert f"reads the first {MAX_TEXT_CHARS} only".encode() in page.body
    assert "source_suggestions_compute_task" in worker.output()
