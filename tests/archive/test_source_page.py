"""The public source page shows the archived copy: when and with which SHA-256, the live
link's state, the archived text with the quotes highlighted, and the WARC to download; in
a real Chromium, axe-core clean."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import expect

from archive.models import Capture
from archive.services import source_check
from tests.archive.helpers import HTML, QUOTE
from tests.archive.site import Page
from tests.browser.conftest import (  # noqa: F401 (the real Chromium)
    csp_violations,
    keep_to_server,
    page,
)
from tests.factories import make_commitment, make_source
from tests.pages.test_in_a_browser import audit_and_shoot


def archived_source(site, *, gone=False):
    site.pages["/news"] = Page(HTML)
    source = make_source(text=f"They said {QUOTE}.", url=site.url("/news"))
    commitment = make_commitment(source=source, quote=QUOTE, reference="ARC-1")
    source_check(source_id=source.pk)
    if gone:
        del site.pages["/news"]
        source_check(source_id=source.pk)
    return source, commitment


@pytest.mark.django_db
def test_the_page_says_when_it_was_archived_and_how_the_link_is(
    site, settings, django_assert_num_queries
):
    settings.ARCHIVE_FLAG_AFTER_CHECKS = 1
    source, _ = archived_source(site, gone=True)
    capture = Capture.objects.get()

    # The source and its citations, then the link, the captures, the checks, the newest text.
    with django_assert_num_queries(6):
        html = Client().get(f"/en/sources/{source.pk}/").content.decode()

    assert "The archived page" in html
    assert capture.body_sha256 in html and "checked on" in html
    assert "Gone" in html
    assert f"/api/v1/sources/{source.pk}/captures/{capture.pk}/warc/" in html
    assert 'id="archived-quote-' in html and "<mark>the ministry will open" in html

    russian = Client().get(f"/ru/sources/{source.pk}/").content.decode()
    assert "Архивная копия страницы" in russian


@pytest.mark.django_db
def test_a_page_never_archived_says_why(settings):
    source = make_source(url="http://no-such-host.invalid/page")
    settings.ARCHIVE_FETCH_RETRIES = 0
    source_check(source_id=source.pk)

    html = Client().get(f"/en/sources/{source.pk}/").content.decode()

    assert "Not archived yet" in html and "The site&#x27;s name does not resolve." in html
    assert "could not be resolved" in html  # the archive's own words, marked as English
    russian = Client().get(f"/ru/sources/{source.pk}/").content.decode()
    assert "Имя сайта не удаётся найти в DNS." in russian


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_archived_copy_in_a_real_browser(site, page, live_server):  # noqa: F811
    source, _ = archived_source(site)
    outside = keep_to_server(page, live_server.url)

    page.goto(f"{live_server.url}/en/sources/{source.pk}/")

    archive = page.locator("section.archive")
    expect(archive.locator("h2")).to_have_text("The archived page")
    expect(archive).to_contain_text("Archived, live")
    expect(archive.locator("code.hash")).to_have_text(Capture.objects.get().body_sha256)
    expect(archive.locator("mark")).to_contain_text(QUOTE)
    download = archive.get_by_role("link", name="Download the archived copy (WARC)")
    capture = Capture.objects.get()
    warc = f"/api/v1/sources/{source.pk}/captures/{capture.pk}/warc/"
    expect(download).to_have_attribute("href", warc)
    audit_and_shoot(page, "source-archived")
    assert outside == []
