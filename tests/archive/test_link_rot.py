"""Re-checks of archived pages: conditional requests, a page that changes under a quote and
one that disappears flagged after ARCHIVE_FLAG_AFTER_CHECKS checks, with their alerts."""

from __future__ import annotations

import pytest
import redis
from django.conf import settings as django_settings
from django.db import transaction

from archive.choices import CheckOutcome, LinkState
from archive.models import Capture, LinkCheck, SourceLink
from archive.services import links_add_missing, links_claim_due, source_check
from tests.archive.helpers import HTML, QUOTE
from tests.archive.site import Page
from tests.factories import make_commitment, make_source
from tests.hardening.servers import enqueued_tasks
from tracker.choices import AlertKind
from tracker.models import Alert
from webhooks.payloads import alert_event

pytestmark = pytest.mark.django_db

TEXT = f"Officials said on Monday that {QUOTE}."


@pytest.fixture
def flag_after_two(settings):
    settings.ARCHIVE_FLAG_AFTER_CHECKS = 2


def cited(url):
    source = make_source(text=TEXT, url=url)
    return source, make_commitment(source=source, quote=QUOTE)


def link(source) -> SourceLink:
    return SourceLink.objects.get(source=source)


def test_a_recheck_is_conditional_and_a_304_takes_no_new_capture(site):
    site.pages["/news"] = Page(HTML, etag='"v1"')
    source, _ = cited(site.url("/news"))
    source_check(source_id=source.pk)

    again = source_check(source_id=source.pk)

    assert "if-none-match" not in site.requests[0].headers
    assert site.requests[1].headers["if-none-match"] == '"v1"'
    assert again.outcome == CheckOutcome.UNCHANGED
    check = LinkCheck.objects.get(pk=again.check_id)
    assert check.conditional and check.http_status == 304
    assert check.capture == Capture.objects.get()  # the one capture, still the evidence
    assert link(source).state == LinkState.OK


def test_a_page_that_drops_a_quoted_passage_is_flagged_after_the_checks(site, flag_after_two):
    site.pages["/news"] = Page(HTML)
    source, commitment = cited(site.url("/news"))
    source_check(source_id=source.pk)
    first = Capture.objects.get()

    site.pages["/news"] = Page(b"<p>The registry page was rewritten.</p>")
    once = source_check(source_id=source.pk)
    assert once.outcome == CheckOutcome.CAPTURED and once.state == LinkState.OK
    assert LinkCheck.objects.get(pk=once.check_id).quotes_missing == 1
    assert not Alert.objects.filter(kind=AlertKind.SOURCE_CHANGED).exists()

    twice = source_check(source_id=source.pk)  # the same bytes: no third capture

    assert twice.outcome == CheckOutcome.UNCHANGED and twice.state == LinkState.CHANGED
    assert Capture.objects.count() == 2 and Capture.objects.filter(pk=first.pk).exists()
    alert = Alert.objects.get(kind=AlertKind.SOURCE_CHANGED)
    assert (alert.commitment, alert.source_check_id) == (commitment, twice.check_id)
    event = alert_event(alert)
    assert event["type"] == "alert.source_changed"
    assert event["data"]["source_check"]["source"] == source.pk
    assert event["data"]["source_check"]["quotes_missing"] == 1

    # Still changed: no second alert for the same state.
    source_check(source_id=source.pk)
    assert Alert.objects.filter(kind=AlertKind.SOURCE_CHANGED).count() == 1
    # The passage back: live again.
    site.pages["/news"] = Page(HTML)
    assert source_check(source_id=source.pk).state == LinkState.OK


def test_a_page_that_disappears_is_flagged_gone_after_the_checks(site, flag_after_two):
    site.pages["/news"] = Page(HTML)
    source, commitment = cited(site.url("/news"))
    other = make_commitment(source=source, quote=QUOTE, reference="OTHER-1")
    source_check(source_id=source.pk)
    del site.pages["/news"]  # 404 from now on

    once = source_check(source_id=source.pk)
    assert once.state == LinkState.FAILING and once.retry_in is None  # a 404 is not retried
    assert not Alert.objects.filter(kind=AlertKind.SOURCE_GONE).exists()
    twice = source_check(source_id=source.pk)

    assert twice.state == LinkState.GONE
    gone = Alert.objects.filter(kind=AlertKind.SOURCE_GONE)
    assert {a.commitment for a in gone} == {commitment, other}
    check = LinkCheck.objects.get(pk=twice.check_id)
    assert check.http_status == 404 and "answered 404" in check.error
    # The archived copy stays: the evidence outlives the page.
    assert Capture.objects.filter(source=source).count() == 1


def test_a_server_error_is_retried_and_counts_once_per_check(site, settings, flag_after_two):
    settings.ARCHIVE_FETCH_RETRIES = 1
    site.pages["/news"] = Page(b"down", "text/plain", status=503)
    source, _ = cited(site.url("/news"))

    first = source_check(source_id=source.pk)
    assert first.retry_in is not None and link(source).consecutive_failures == 0
    last = source_check(source_id=source.pk, attempt=2)

    assert last.retry_in is None and link(source).consecutive_failures == 1
    assert link(source).state == LinkState.FAILING


def test_the_sweep_adds_missing_links_and_hands_each_due_check_out_once(site):
    source, _ = cited(site.url("/news"))
    SourceLink.objects.all().delete()  # as for a source saved before the archive existed
    no_url = make_source()

    assert links_add_missing() == 1
    assert links_claim_due(limit=10) == [source.pk]
    assert links_claim_due(limit=10) == []  # leased: the next sweep leaves it alone
    assert not SourceLink.objects.filter(source=no_url).exists()


def test_a_new_url_starts_the_page_over(site):
    site.pages["/news"] = Page(HTML)
    source, _ = cited(site.url("/news"))
    source_check(source_id=source.pk)
    assert link(source).state == LinkState.OK

    from sources.services import source_update

    source_update(source=source, data={"url": site.url("/elsewhere")})

    assert (link(source).url, link(source).state) == (site.url("/elsewhere"), LinkState.PENDING)


@pytest.mark.django_db(transaction=True)
def test_a_source_saved_with_a_url_is_queued_for_capture_once_it_commits(settings):
    settings.ARCHIVE_CAPTURE_ON_SAVE = True
    broker = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    broker.delete("celery")
    try:
        with transaction.atomic():
            source = make_source(url="https://news.example.org/registry")
            assert enqueued_tasks(broker) == []  # nothing before the commit
        assert enqueued_tasks(broker) == [("archive.tasks.source_check_task", [source.pk])]
    finally:
        broker.delete("celery")
