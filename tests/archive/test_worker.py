"""A source saved with a URL is captured by a real Celery worker on the real Redis broker,
retrying a page that first answers 503: nothing eager, mocked or called in-process."""

from __future__ import annotations

import pytest
import redis
from django.conf import settings

from archive.choices import CheckOutcome, LinkState
from archive.models import Capture, LinkCheck, SourceLink
from tests.archive.helpers import HTML, QUOTE
from tests.archive.site import Page
from tests.factories import make_commitment, make_source
from tests.hardening.servers import CeleryWorker, app_environment, database_url_for
from tests.webhooks.receiver import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CAPTURE_SECONDS = 60


@pytest.fixture
def worker(tmp_path):
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("celery")
    started = CeleryWorker(
        env=app_environment(
            database_url=database_url_for(settings.DATABASES["default"]["NAME"]),
            broker_url=settings.CELERY_BROKER_URL,
            CACHE_KEY_PREFIX=settings.CACHES["default"]["KEY_PREFIX"],
            ARCHIVE_RETRY_BASE_SECONDS="0.2",
        ),
        log=tmp_path / "worker.log",
        name="archive",
    )
    yield started.start()
    started.close()
    broker.delete("celery")
    broker.close()


def test_a_saved_source_is_captured_by_the_worker_after_a_retry(worker, site, settings):
    settings.ARCHIVE_CAPTURE_ON_SAVE = True
    site.pages["/news"] = [Page(b"busy", "text/plain", status=503), Page(HTML)]

    source = make_source(text=f"They said {QUOTE}.", url=site.url("/news"))
    make_commitment(source=source, quote=QUOTE)

    capture = wait_until(
        lambda: Capture.objects.filter(source=source).first(),
        timeout=CAPTURE_SECONDS,
        what=f"the worker captures the page:\n{worker.output()}",
    )
    checks = list(LinkCheck.objects.filter(source=source).order_by("id"))
    assert [(c.outcome, c.attempt, c.http_status) for c in checks] == [
        (CheckOutcome.FAILED, 1, 503),
        (CheckOutcome.CAPTURED, 2, 200),
    ]
    assert capture.final_url == site.url("/news")
    assert SourceLink.objects.get(source=source).state == LinkState.OK
