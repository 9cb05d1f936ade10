"""Every write to the archive: links, checks, captures and quote checks.

A check fetches the source's URL (archive/fetch.py), records what came of it, stores a new
capture when the page is new or changed (its WARC file in the archive storage first, then the
row), checks every citation's quote against the capture's text, and moves the link's state
on. A state that turns `changed` or `gone` is reported to the tracker, which alerts on every
commitment citing the source.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from archive.choices import FLAGGED_STATES, CheckOutcome, LinkState
from archive.fetch import Fetched, FetchFailed, page_fetch
from archive.models import Capture, LinkCheck, QuoteCheck, SourceLink
from archive.selectors import capture_latest, citations_missing_from, conditional_headers
from archive.text import page_text
from archive.warc import warc_bytes
from commitments.models import Citation
from sources.models import Source
from sources.selectors import fold_whitespace
from tracker.choices import AlertKind
from tracker.services import alerts_record_source_check

logger = logging.getLogger(__name__)

RETRY_FACTOR = 3
# How long a link handed to a worker is left alone by the sweeps: more than a fetch and its
# retries take.
CLAIM_LEASE = timedelta(hours=1)


@dataclass(frozen=True)
class CheckResult:
    outcome: str
    check_id: int
    state: str
    # Seconds until the next try of a failure that may pass; None when this was the last.
    retry_in: float | None = None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- links ------------------------------------------------------------------------------------


def source_link_sync(*, source: Source) -> SourceLink | None:
    """The link of a source's URL, new when the URL is: a source whose URL changed is a new
    page to archive (its earlier captures stay). No link for a source without a URL."""
    if not source.url:
        SourceLink.objects.filter(source=source).delete()
        return None
    link = SourceLink.objects.filter(source=source).first()
    if link is not None and link.url == source.url:
        return link
    now = timezone.now()
    link, _ = SourceLink.objects.update_or_create(
        source=source,
        defaults={
            "url": source.url,
            "state": LinkState.PENDING,
            "state_since": now,
            "consecutive_failures": 0,
            "consecutive_missing": 0,
            "next_check_at": now,
        },
    )
    return link


def links_add_missing() -> int:
    """A link for every source with a URL that has none (sources from before the archive,
    or saved while its receiver was not listening); how many were added."""
    missing = Source.objects.filter(url__isnull=False, archive_link__isnull=True).values_list(
        "id", "url"
    )
    now = timezone.now()
    links = [SourceLink(source_id=i, url=url, next_check_at=now) for i, url in missing]
    SourceLink.objects.bulk_create(links, ignore_conflicts=True)
    return len(links)


@transaction.atomic
def links_claim_due(*, limit: int) -> list[int]:
    """The source ids of links due a check, at most `limit`, oldest due first; each moved
    CLAIM_LEASE on, so that the next sweep does not hand it out again meanwhile."""
    now = timezone.now()
    ids = list(
        SourceLink.objects.select_for_update(skip_locked=True)
        .filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("source_id", flat=True)[:limit]
    )
    SourceLink.objects.filter(source_id__in=ids).update(next_check_at=now + CLAIM_LEASE)
    return ids


def link_check_now(*, source: Source) -> SourceLink | None:
    """Due at once (a capture on request): the next sweep or the enqueued task takes it."""
    link = source_link_sync(source=source)
    if link is not None:
        SourceLink.objects.filter(pk=link.pk).update(next_check_at=timezone.now())
    return link


# --- quotes -----------------------------------------------------------------------------------


def _quote_found(quote: str, folded_text: str) -> bool:
    folded = fold_whitespace(quote)
    return bool(folded) and folded in folded_text


def quote_checks_record(*, capture: Capture, citations) -> None:
    folded = fold_whitespace(capture.text)
    QuoteCheck.objects.bulk_create(
        [
            QuoteCheck(capture=capture, citation=c, found=_quote_found(c.quote, folded))
            for c in citations
        ],
        ignore_conflicts=True,
    )


def quote_check_citation(*, citation: Citation) -> None:
    """A citation added to an archived source is checked against its newest capture."""
    capture = capture_latest(source_id=citation.source_id)
    if capture is not None:
        quote_checks_record(capture=capture, citations=[citation])


# --- checks -----------------------------------------------------------------------------------


def _warc_name(source_id: int, fetched_at, body_sha256: str) -> str:
    return f"sources/{source_id}/{fetched_at:%Y%m%dT%H%M%SZ}-{body_sha256[:16]}.warc.gz"


def _capture_store(*, source: Source, fetched: Fetched, fetched_at) -> Capture:
    body_sha256 = _sha256(fetched.body)
    name = _warc_name(source.pk, fetched_at, body_sha256)
    data = warc_bytes(fetched, fetched_at=fetched_at, filename=name.rsplit("/", 1)[-1])
    # The file first: a row never points at a file that is not there.
    stored = Capture.warc.field.storage.save(name, ContentFile(data))
    content_type = fetched.header("Content-Type")
    text = page_text(fetched.body, content_type)
    capture = Capture.objects.create(
        source=source,
        fetched_at=fetched_at,
        requested_url=fetched.requested_url,
        final_url=fetched.final_url,
        http_status=fetched.status,
        content_type=content_type[:200],
        body_sha256=body_sha256,
        body_bytes=len(fetched.body),
        etag=fetched.header("ETag")[:500],
        last_modified=fetched.header("Last-Modified")[:100],
        text=text.text,
        text_note=text.note[:300],
        warc=stored,
        warc_sha256=_sha256(data),
    )
    quote_checks_record(capture=capture, citations=source.citations.all())
    return capture


def _state_after_success(link: SourceLink, *, missing: int) -> str:
    link.consecutive_failures = 0
    link.consecutive_missing = link.consecutive_missing + 1 if missing else 0
    if link.consecutive_missing >= settings.ARCHIVE_FLAG_AFTER_CHECKS:
        return LinkState.CHANGED
    return LinkState.CHANGED if link.state == LinkState.CHANGED and missing else LinkState.OK


def _state_after_failure(link: SourceLink, failure: FetchFailed) -> str:
    if failure.gone:
        link.consecutive_failures += 1
    if link.consecutive_failures >= settings.ARCHIVE_FLAG_AFTER_CHECKS:
        return LinkState.GONE
    return link.state if link.state in FLAGGED_STATES else LinkState.FAILING


def _link_move(link: SourceLink, state: str, *, check: LinkCheck, now) -> None:
    flagged_now = state in FLAGGED_STATES and state != link.state
    if state != link.state:
        link.state = state
        link.state_since = now
    link.last_checked_at = now
    link.next_check_at = now + timedelta(hours=settings.ARCHIVE_RECHECK_HOURS)
    link.save()
    if flagged_now:
        kind = AlertKind.SOURCE_GONE if state == LinkState.GONE else AlertKind.SOURCE_CHANGED
        alerts_record_source_check(link_check=check, kind=kind)


def source_check(*, source_id: int, attempt: int = 1) -> CheckResult | None:
    """Fetch a source's page and record what came of it; None for a source with no URL (or
    no longer there). `attempt` counts the tries of one check (ARCHIVE_FETCH_RETRIES)."""
    source = Source.objects.filter(pk=source_id).only("id", "url").first()
    if source is None or not source.url:
        return None
    link = source_link_sync(source=source)
    latest = capture_latest(source_id=source.pk)
    conditional = conditional_headers(latest, url=source.url)
    now = timezone.now()
    try:
        fetched = page_fetch(source.url, conditional=conditional)
    except FetchFailed as failure:
        return _failure_record(link, failure, attempt=attempt, conditional=bool(conditional))
    with transaction.atomic():
        link = SourceLink.objects.select_for_update().get(pk=link.pk)
        unchanged = latest is not None and (
            fetched.status == 304
            or (
                latest.body_sha256 == _sha256(fetched.body)
                and latest.final_url == fetched.final_url
            )
        )
        capture = (
            latest if unchanged else _capture_store(source=source, fetched=fetched, fetched_at=now)
        )
        missing = citations_missing_from(capture=capture)
        check = LinkCheck.objects.create(
            source=source,
            checked_at=now,
            url=source.url,
            outcome=CheckOutcome.UNCHANGED if unchanged else CheckOutcome.CAPTURED,
            attempt=attempt,
            conditional=bool(conditional),
            http_status=fetched.status,
            final_url=fetched.final_url,
            capture=capture,
            quotes_missing=len(missing),
        )
        _link_move(link, _state_after_success(link, missing=len(missing)), check=check, now=now)
    return CheckResult(outcome=check.outcome, check_id=check.pk, state=link.state)


def _failure_record(
    link: SourceLink, failure: FetchFailed, *, attempt: int, conditional: bool
) -> CheckResult:
    now = timezone.now()
    final = not failure.transient or attempt > settings.ARCHIVE_FETCH_RETRIES
    with transaction.atomic():
        link = SourceLink.objects.select_for_update().get(pk=link.pk)
        check = LinkCheck.objects.create(
            source_id=link.source_id,
            checked_at=now,
            url=link.url,
            outcome=CheckOutcome.FAILED,
            attempt=attempt,
            conditional=conditional,
            http_status=failure.status,
            final_url=failure.url,
            reason=failure.reason,
            error=str(failure)[:2000],
        )
        if final:
            _link_move(link, _state_after_failure(link, failure), check=check, now=now)
            retry_in = None
        else:
            retry_in = settings.ARCHIVE_RETRY_BASE_SECONDS * RETRY_FACTOR ** (attempt - 1)
            link.last_checked_at = now
            link.next_check_at = now + timedelta(seconds=retry_in) + CLAIM_LEASE
            link.save(update_fields=["last_checked_at", "next_check_at"])
    logger.info("archive: %s (attempt %s): %s", link.url, attempt, failure)
    return CheckResult(
        outcome=CheckOutcome.FAILED, check_id=check.pk, state=link.state, retry_in=retry_in
    )
