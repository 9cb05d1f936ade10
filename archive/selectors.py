"""Reads of the archive: a source's newest capture, its state for readers and staff, and
which quotes a capture no longer holds."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from archive.models import Capture, LinkCheck, QuoteCheck, SourceLink
from commitments.models import Citation

# The checks shown with a source's archive (the newest first); the admin lists them all.
CHECKS_SHOWN = 20


def capture_latest(*, source_id: int) -> Capture | None:
    return Capture.objects.filter(source_id=source_id).order_by("-fetched_at", "-id").first()


def conditional_headers(capture: Capture | None, *, url: str) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from the newest capture of this same URL."""
    if capture is None or capture.requested_url != url:
        return {}
    headers = {}
    if capture.etag:
        headers["If-None-Match"] = capture.etag
    if capture.last_modified:
        headers["If-Modified-Since"] = capture.last_modified
    return headers


def citations_missing_from(*, capture: Capture) -> list[int]:
    """Citations whose quote an earlier capture held and this one does not: the page
    changed under the evidence."""
    return sorted(
        QuoteCheck.objects.filter(capture=capture, found=False)
        .filter(Exists(QuoteCheck.objects.filter(citation=OuterRef("citation"), found=True)))
        .values_list("citation_id", flat=True)
    )


@dataclass
class SourceArchive:
    """What the archive holds of one source, newest first."""

    link: SourceLink | None
    captures: list[Capture] = field(default_factory=list)
    checks: list[LinkCheck] = field(default_factory=list)


def source_archive(*, source_id: int, drafts: bool = False) -> SourceArchive:
    """The archive of a source; its quote counts over published commitments' citations
    only unless `drafts` (staff), as everything else a reader sees."""
    counted = Q() if drafts else Q(quote_checks__citation__commitment__is_published=True)
    captures = list(
        Capture.objects.filter(source_id=source_id)
        .defer("text")
        .annotate(
            quotes_checked=Count("quote_checks", filter=counted),
            quotes_not_found=Count("quote_checks", filter=counted & Q(quote_checks__found=False)),
        )
        .order_by("-fetched_at", "-id")
    )
    checks = list(
        LinkCheck.objects.filter(source_id=source_id).order_by("-checked_at", "-id")[:CHECKS_SHOWN]
    )
    return SourceArchive(
        link=SourceLink.objects.filter(source_id=source_id).first(),
        captures=captures,
        checks=checks,
    )


def capture_of_source(*, source_id: int, capture_id: int) -> Capture | None:
    return Capture.objects.filter(source_id=source_id, pk=capture_id).first()


def citations_not_in_archive() -> QuerySet[Citation]:
    """Citations whose quote the newest capture of their source does not hold: for staff to
    look at, never trusted in silence."""
    newest = Capture.objects.filter(source_id=OuterRef("source_id")).order_by("-fetched_at", "-id")
    return Citation.objects.annotate(newest_capture=Subquery(newest.values("pk")[:1])).filter(
        Exists(
            QuoteCheck.objects.filter(
                citation=OuterRef("pk"), capture=OuterRef("newest_capture"), found=False
            )
        )
    )
