"""Staff see the archive's state on the source's admin page, the captures and checks on the
link's page, the quotes not found, and can ask for a capture again."""

from __future__ import annotations

import pytest
import redis
from django.conf import settings as django_settings
from django.test import Client

from archive.models import Capture, QuoteCheck
from archive.services import source_check
from tests.archive.helpers import HTML, QUOTE
from tests.archive.site import Page
from tests.factories import make_commitment, make_source
from tests.hardening.servers import enqueued_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


def test_the_source_page_links_the_archive_and_the_link_page_shows_it(site, editor_client):
    site.pages["/news"] = Page(HTML)
    source = make_source(text=f"They said {QUOTE}. The fund was doubled.", url=site.url("/news"))
    make_commitment(source=source, quote=QUOTE)
    make_commitment(source=source, quote="The fund was doubled")  # not on the page
    source_check(source_id=source.pk)
    capture = Capture.objects.get()

    page = editor_client.get(f"/admin/sources/source/{source.pk}/change/").content.decode()
    assert "Archived, live" in page and f"/admin/archive/sourcelink/{source.pk}/change/" in page

    link_page = editor_client.get(f"/admin/archive/sourcelink/{source.pk}/change/")
    assert link_page.status_code == 200
    html = link_page.content.decode()
    assert f"/api/v1/sources/{source.pk}/captures/{capture.pk}/warc/" in html
    assert "Captured" in html

    flagged = editor_client.get("/admin/archive/quotecheck/?newest=missing").content.decode()
    assert "The fund was doubled" in flagged and QUOTE[:40] not in flagged
    assert QuoteCheck.objects.filter(found=False).count() == 1


def test_capture_now_queues_a_check(site, editor_client):
    source = make_source(url=site.url("/news"))
    broker = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    broker.delete("celery")
    try:
        response = editor_client.post(
            "/admin/archive/sourcelink/",
            {"action": "capture_now", "_selected_action": [source.pk]},
            follow=True,
        )
        assert "1 page queued for capture" in response.content.decode()
        assert enqueued_tasks(broker) == [("archive.tasks.source_check_task", [source.pk])]
    finally:
        broker.delete("celery")
