"""Capturing a cited page from a real HTTP server the test starts: the WARC records read
back with warcio, HTML, text and PDF read for quotes, redirects, size and time limits."""

from __future__ import annotations

import gzip
import hashlib

import pytest

from archive.choices import CheckOutcome, LinkState
from archive.models import Capture, LinkCheck, QuoteCheck, SourceLink
from archive.selectors import citations_not_in_archive
from archive.services import source_check
from tests.archive.helpers import HTML, QUOTE, warc_records
from tests.archive.site import Page, pdf_with_text
from tests.factories import make_commitment, make_source

pytestmark = pytest.mark.django_db

TEXT = f"Officials said on Monday that {QUOTE}. More details will follow."


def cited_source(url: str, *, quotes=(QUOTE,)):
    source = make_source(text=f"{TEXT} {' '.join(quotes)}", url=url)
    commitments = [make_commitment(source=source, quote=quote) for quote in quotes]
    return source, commitments


def test_an_html_page_is_captured_as_a_warc_file_a_warc_reader_reads(site, settings):
    site.pages["/news"] = Page(
        HTML, etag='"v1"', headers={"Last-Modified": "Mon, 02 Nov 2026 08:00:00 GMT"}
    )
    source, _ = cited_source(site.url("/news"))

    result = source_check(source_id=source.pk)

    assert result.outcome == CheckOutcome.CAPTURED and result.state == LinkState.OK
    capture = Capture.objects.get(source=source)
    assert capture.final_url == site.url("/news")
    assert capture.http_status == 200
    assert capture.content_type == "text/html; charset=utf-8"
    assert capture.body_sha256 == hashlib.sha256(HTML).hexdigest()
    assert capture.body_bytes == len(HTML)
    assert (capture.etag, capture.last_modified) == ('"v1"', "Mon, 02 Nov 2026 08:00:00 GMT")
    # The text a reader sees: no script, no style, words of two paragraphs apart.
    assert "var quote" not in capture.text and "color:red" not in capture.text
    assert "officials said.\n\nAnother paragraph." in capture.text
    assert QuoteCheck.objects.get(capture=capture).found is True

    records = warc_records(capture)
    assert [r[0] for r in records] == ["warcinfo", "request", "response"]
    _, uri, headers, statusline, payload = records[2]
    assert uri == site.url("/news")
    assert statusline == "200 OK"
    assert payload == HTML
    assert headers["WARC-IP-Address"] == "127.0.0.1"
    assert headers["WARC-Date"] == capture.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert records[1][3] == "/news HTTP/1.1"  # warcio reads the method apart
    with capture.warc.open("rb") as stored:
        assert capture.warc_sha256 == hashlib.sha256(stored.read()).hexdigest()

    # The request named the project and where to find it.
    user_agent = site.requests[0].headers["user-agent"]
    assert user_agent == settings.ARCHIVE_USER_AGENT
    assert "commitment-tracker" in user_agent and settings.TRACKER_PUBLIC_URL in user_agent


def test_plain_text_in_its_own_charset_and_a_gzipped_body(site):
    russian = "Министерство откроет реестр цифровых услуг в 2026 году"
    site.pages["/ru.txt"] = Page(
        f"Сообщили, что {russian}.".encode("cp1251"),
        content_type="text/plain; charset=windows-1251",
    )
    packed = gzip.compress(HTML)
    site.pages["/packed"] = Page(packed, headers={"Content-Encoding": "gzip"})
    ru_source, _ = cited_source(site.url("/ru.txt"), quotes=(russian,))
    packed_source, _ = cited_source(site.url("/packed"))

    source_check(source_id=ru_source.pk)
    source_check(source_id=packed_source.pk)

    ru = Capture.objects.get(source=ru_source)
    assert russian in ru.text and ru.quote_checks.get().found
    packed_capture = Capture.objects.get(source=packed_source)
    # The WARC keeps what the server sent (its headers say gzip); the text is read unpacked.
    assert warc_records(packed_capture)[2][4] == HTML  # warcio undoes the encoding on read
    assert packed_capture.body_sha256 == hashlib.sha256(HTML).hexdigest()
    assert packed_capture.quote_checks.get().found


def test_a_pdf_is_read_for_its_text(site):
    site.pages["/report.pdf"] = Page(
        pdf_with_text(f"Report: {QUOTE}."), content_type="application/pdf"
    )
    source, _ = cited_source(site.url("/report.pdf"))

    source_check(source_id=source.pk)

    capture = Capture.objects.get(source=source)
    assert capture.content_type == "application/pdf"
    assert QUOTE in " ".join(capture.text.split())
    assert capture.quote_checks.get().found


def test_a_quote_not_in_the_page_is_flagged_for_staff(site):
    site.pages["/news"] = Page(HTML)
    other = "the parliament approved the budget of the registry"
    source, _ = cited_source(site.url("/news"), quotes=(QUOTE, other))

    source_check(source_id=source.pk)

    checks = dict(QuoteCheck.objects.values_list("citation__quote", "found"))
    assert checks == {QUOTE: True, other: False}
    assert list(citations_not_in_archive().values_list("quote", flat=True)) == [other]
    # A citation added later is checked against the newest capture at once.
    late = make_commitment(source=source, quote="Officials said on Monday")
    assert QuoteCheck.objects.get(citation__commitment=late).found is False


def test_redirects_are_followed_and_the_final_address_kept(site):
    site.pages["/old"] = Page(status=301, headers={"Location": "/moved"})
    site.pages["/moved"] = Page(status=302, headers={"Location": site.url("/news")})
    site.pages["/news"] = Page(HTML)
    source, _ = cited_source(site.url("/old"))

    source_check(source_id=source.pk)

    capture = Capture.objects.get(source=source)
    assert (capture.requested_url, capture.final_url) == (site.url("/old"), site.url("/news"))
    assert [r.path for r in site.requests] == ["/old", "/moved", "/news"]


def test_too_many_redirects_are_not_followed(site, settings):
    settings.ARCHIVE_MAX_REDIRECTS = 2
    site.pages["/loop"] = Page(status=302, headers={"Location": "/loop"})
    source, _ = cited_source(site.url("/loop"))

    result = source_check(source_id=source.pk)

    assert result.outcome == CheckOutcome.FAILED
    assert "More than 2 redirects" in LinkCheck.objects.get(source=source).error
    assert len(site.requests) == 3


@pytest.mark.parametrize("unsized", [False, True], ids=["declared", "undeclared"])
def test_a_page_over_the_size_cap_is_refused_and_recorded(site, settings, unsized):
    settings.ARCHIVE_MAX_BYTES = 1000
    site.pages["/big"] = Page(b"<p>" + b"a" * 5000 + b"</p>", unsized=unsized)
    source, _ = cited_source(site.url("/big"))

    result = source_check(source_id=source.pk)

    assert result.outcome == CheckOutcome.FAILED and result.retry_in is None  # no use retrying
    check = LinkCheck.objects.get(source=source)
    assert "larger than 1000 bytes" in check.error and check.http_status == 200
    assert not Capture.objects.exists()
    assert SourceLink.objects.get(source=source).state == LinkState.FAILING


def test_a_body_that_unpacks_past_the_cap_is_refused(site, settings):
    settings.ARCHIVE_MAX_BYTES = 10_000
    bomb = gzip.compress(b"\0" * 5_000_000)
    assert len(bomb) < 10_000
    site.pages["/bomb"] = Page(bomb, headers={"Content-Encoding": "gzip"})
    source, _ = cited_source(site.url("/bomb"))

    source_check(source_id=source.pk)

    assert "larger than 10000 bytes" in LinkCheck.objects.get(source=source).error


def test_a_page_that_never_finishes_is_given_up_and_tried_later(site, settings):
    settings.ARCHIVE_FETCH_DEADLINE_SECONDS = 0.5
    settings.ARCHIVE_RETRY_BASE_SECONDS = 60
    site.pages["/slow"] = Page(drip=True)
    source, _ = cited_source(site.url("/slow"))

    first = source_check(source_id=source.pk)

    assert first.outcome == CheckOutcome.FAILED and first.retry_in == 60
    check = LinkCheck.objects.get(source=source)
    assert "did not arrive whole within 0.5 s" in check.error
    # Retries wait 3 times longer each; the last one settles the check.
    second = source_check(source_id=source.pk, attempt=2)
    assert second.retry_in == 180
    last = source_check(source_id=source.pk, attempt=settings.ARCHIVE_FETCH_RETRIES + 1)
    assert last.retry_in is None
    assert LinkCheck.objects.filter(source=source).count() == 3
    assert SourceLink.objects.get(source=source).state == LinkState.FAILING


def test_a_source_without_a_url_has_nothing_to_check():
    source = make_source()
    assert source_check(source_id=source.pk) is None
    assert not SourceLink.objects.filter(source=source).exists()
