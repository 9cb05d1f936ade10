"""The archive through the API: anyone reads a source's captures and checks and downloads
the WARC; staff who may change the source ask for a new capture."""

from __future__ import annotations

import io

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.services import source_check
from tests.api_fixtures import problem_fields
from tests.archive.helpers import HTML, QUOTE
from tests.archive.site import Page
from tests.factories import make_commitment, make_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def archived(site, settings):
    settings.ARCHIVE_FLAG_AFTER_CHECKS = 1
    site.pages["/news"] = Page(HTML)
    source = make_source(text=f"They said {QUOTE}.", url=site.url("/news"))
    make_commitment(source=source, quote=QUOTE)
    source_check(source_id=source.pk)
    return source


def test_anyone_reads_the_captures_and_checks(anon, archived, site, django_assert_num_queries):
    with django_assert_num_queries(4):  # the source, its captures, its checks, its link
        response = anon.get(f"/api/v1/sources/{archived.pk}/captures/")

    assert response.status_code == 200
    body = response.json()
    assert body["link"]["state"] == "ok" and body["link"]["url"] == site.url("/news")
    [capture] = body["captures"]
    assert capture["final_url"] == site.url("/news") and capture["http_status"] == 200
    assert capture["quotes_checked"] == 1 and capture["quotes_not_found"] == 0
    assert capture["warc_url"].endswith(
        f"/api/v1/sources/{archived.pk}/captures/{capture['id']}/warc/"
    )
    [check] = body["checks"]
    assert check["outcome"] == "captured" and check["capture"] == capture["id"]


def test_readers_count_only_the_quotes_of_published_commitments(anon, staff, archived):
    make_commitment(source=archived, quote=QUOTE, is_published=False, reference="DRAFT-1")
    source_check(source_id=archived.pk)  # unchanged: the draft's quote is checked on add
    url = f"/api/v1/sources/{archived.pk}/captures/"
    assert anon.get(url).json()["captures"][0]["quotes_checked"] == 1
    assert staff.get(url).json()["captures"][0]["quotes_checked"] == 2


def test_the_warc_file_is_downloaded_by_anyone(anon, archived):
    capture = anon.get(f"/api/v1/sources/{archived.pk}/captures/").json()["captures"][0]

    response = anon.get(capture["warc_url"])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/warc"
    assert "attachment" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    kinds = [record.rec_type for record in ArchiveIterator(io.BytesIO(data))]
    assert kinds == ["warcinfo", "request", "response"]
    # A WARC client asks for what it reads.
    asked = anon.get(capture["warc_url"], HTTP_ACCEPT="application/warc")
    assert asked.status_code == 200 and asked["Content-Type"] == "application/warc"
    missing = anon.get(
        capture["warc_url"].replace("/warc/", "0/warc/"), HTTP_ACCEPT="application/warc"
    )
    assert missing.status_code == 404 and missing["Content-Type"].startswith(
        "application/problem+json"
    )


def test_a_source_without_captures_or_url(anon, staff):
    source = make_source()
    body = anon.get(f"/api/v1/sources/{source.pk}/captures/").json()
    assert body == {"link": None, "captures": [], "checks": []}
    refused = staff.post(f"/api/v1/sources/{source.pk}/captures/")
    assert refused.status_code == 409 and "no URL" in refused.json()["detail"]


def test_only_staff_who_may_change_sources_ask_for_a_capture(anon, reader, staff, archived):
    url = f"/api/v1/sources/{archived.pk}/captures/"
    assert anon.post(url).status_code == 401
    assert reader.post(url).status_code == 403
    junk = staff.post(url, data='{"x": [', content_type="application/json")
    assert junk.status_code == 400 and junk.json()["code"] == "parse_error"
    unknown = staff.post(url, data={"url": "http://elsewhere.example/"}, format="json")
    assert unknown.status_code == 400 and "url" in problem_fields(unknown)
    response = staff.post(url)
    assert response.status_code == 202
    assert response.json()["link"]["state"] == "ok"


def test_bad_addresses_are_problems_not_errors(anon, archived):
    assert anon.get("/api/v1/sources/999999/captures/").status_code == 404
    assert anon.get(f"/api/v1/sources/{archived.pk}/captures/99999999/warc/").status_code == 404
    huge = 2**70
    assert anon.get(f"/api/v1/sources/{huge}/captures/").status_code == 404
    assert anon.get(f"/api/v1/sources/{archived.pk}/captures/{huge}/warc/").status_code == 404
    unknown = anon.get(f"/api/v1/sources/{archived.pk}/captures/?limit=3")
    assert unknown.status_code == 400 and "limit" in problem_fields(unknown)


def test_a_gone_page_is_in_the_alerts_feed_and_the_atom_feed(anon, archived, site):
    del site.pages["/news"]
    source_check(source_id=archived.pk)

    feed = anon.get("/api/v1/alerts/?kind=source_gone").json()
    [alert] = feed["results"]
    assert alert["kind"] == "source_gone"
    assert alert["source_check"]["url"] == site.url("/news")
    assert alert["source_check"]["http_status"] == 404
    assert alert["source_check"]["reason"] == "error_status"
    assert alert["source_check"]["source_api_url"].endswith(f"/api/v1/sources/{archived.pk}/")
    assert alert["status_change"] is None and alert["last_day"] is None

    import feedparser

    atom = anon.get("/api/v1/alerts.atom")
    parsed = feedparser.parse(atom.content)
    [entry] = [e for e in parsed.entries if e.tags[0].term == "source_gone"]
    assert entry.title.startswith("Cited page gone — ")
    assert site.url("/news") in entry.summary
