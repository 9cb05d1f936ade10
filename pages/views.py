"""The public pages: thin views over pages.selectors, rendered by templates/pages/.

Every page shows published records only, to everyone, and says in words what was wrong with
a query it cannot answer (400, or 404 for a page number past the end) instead of failing.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from archive.selectors import SourceArchive, capture_latest, source_archive
from commitments.choices import FINAL_STATUSES, REASON_MAPPINGS, STATUS_MAPPINGS
from commitments.selectors import commitment_history, tracker_today
from pages.caching import public_page
from pages.evidence import evidence_timeline
from pages.highlight import highlighted_segments
from pages.query import commitment_query, page_of
from pages.selectors import (
    commitment_for_page,
    commitment_rows,
    due_soon_commitments,
    latest_status_changes,
    overdue_commitments,
    published_parent,
    source_for_page,
    timeline_rows,
)
from pages.timeline import edtf_qualifiers, timeline_axis, timeline_bands
from tracker.selectors import commitment_stats_cached

LIST_PAGE_SIZE = 50
TIMELINE_PAGE_SIZE = 50
OVERVIEW_LIST_LENGTH = 10


def _bad_query(request, query, *, title: str):
    return render(
        request,
        "pages/bad_query.html",
        {"title": title, "problems": query.problems, "retry": request.path},
        status=query.status_code,
    )


def _not_found(request, message: str):
    # A draft and a record that does not exist get this same answer.
    return render(
        request, "pages/not_found.html", {"message": message, "not_found": True}, status=404
    )


@public_page
def overview(request):
    today = tracker_today()
    stats = commitment_stats_cached(user=None, today=today)
    total = stats["total"] or 1
    meter = [
        {
            "value": status,
            "label": mapping.status.label,
            "politifact": mapping.politifact,
            "ogp_irm": mapping.ogp_irm,
            "count": stats["by_status"][status],
            "percent": round(100 * stats["by_status"][status] / total, 2),
        }
        for status, mapping in STATUS_MAPPINGS.items()
    ]
    return render(
        request,
        "pages/overview.html",
        {
            "today": today,
            "stats": stats,
            "meter": meter,
            "reasons": [
                {"value": reason, "label": mapping.reason.label, "count": count}
                for reason, mapping in REASON_MAPPINGS.items()
                if (count := stats["by_reason"][reason])
            ],
            "due_soon_days": settings.TRACKER_DUE_SOON_DAYS,
            "overdue": overdue_commitments(limit=OVERVIEW_LIST_LENGTH),
            "due_soon": due_soon_commitments(
                today=today, days=settings.TRACKER_DUE_SOON_DAYS, limit=OVERVIEW_LIST_LENGTH
            ),
            "changes": latest_status_changes(limit=OVERVIEW_LIST_LENGTH),
        },
    )


@public_page
def commitment_list(request):
    query = commitment_query(request.GET)
    page = None
    if query.is_valid:
        page = page_of(
            commitment_rows(query.queryset, ordering=query.ordering), query, per_page=LIST_PAGE_SIZE
        )
    if page is None:
        return _bad_query(request, query, title=_("Commitments"))
    return render(
        request,
        "pages/commitment_list.html",
        {
            "page": page,
            "query": query,
            "base_query": query.without("page"),
            "today": tracker_today(),
            **_api_links(query),
        },
    )


@public_page
def timeline(request):
    query = commitment_query(request.GET, ordering=False)
    page = None
    if query.is_valid:
        page = page_of(timeline_rows(query.queryset), query, per_page=TIMELINE_PAGE_SIZE)
    if page is None:
        return _bad_query(request, query, title=_("Deadline timeline"))
    today = tracker_today()
    commitments = list(page.object_list)
    axis = timeline_axis(commitments, today=today)
    return render(
        request,
        "pages/timeline.html",
        {
            "page": page,
            "query": query,
            "base_query": query.without("page"),
            "today": today,
            "axis": axis,
            "bands": timeline_bands(commitments, axis=axis),
            "final_statuses": FINAL_STATUSES,
            **_api_links(query),
        },
    )


def _api_links(query) -> dict:
    api = query.api_query()
    suffix = f"?{api}" if api else ""
    return {
        "json_url": reverse("commitment-list") + suffix,
        # With the byte-order mark: a person downloading from a page opens it in a spreadsheet.
        "csv_url": reverse("commitment-list") + f"?{api}{'&' if api else ''}format=csv&bom=true",
        "calendar_url": reverse("deadline-calendar") + suffix,
    }


@public_page
def commitment_detail(request, reference: str):
    commitment = commitment_for_page(reference=reference)
    if commitment is None:
        return _not_found(request, _("There is no published commitment at this address."))
    history = commitment_history(commitment=commitment)
    return render(
        request,
        "pages/commitment_detail.html",
        {
            "commitment": commitment,
            "mapping": STATUS_MAPPINGS[commitment.status],
            "qualifiers": edtf_qualifiers(commitment.deadline_edtf),
            "parent": published_parent(commitment=commitment),
            "events": evidence_timeline(commitment=commitment, history=history),
            "json_url": reverse("commitment-detail", kwargs={"pk": commitment.pk}),
            "history_url": reverse("commitment-history", kwargs={"pk": commitment.pk}),
            "stale_days": settings.TRACKER_EVIDENCE_STALE_DAYS,
        },
    )


@public_page
def source_detail(request, source_id: int):
    source = source_for_page(source_id=source_id)
    if source is None:
        return _not_found(request, _("There is no published source at this address."))
    segments, missing = highlighted_segments(source.text, source.published_citations)
    # A source without a URL has no page to archive: no query for it.
    archive = source_archive(source_id=source.pk) if source.url else SourceArchive(link=None)
    latest = capture_latest(source_id=source.pk) if archive.captures else None
    archived_segments, archived_missing = (
        highlighted_segments(latest.text, source.published_citations) if latest else ([], [])
    )
    return render(
        request,
        "pages/source_detail.html",
        {
            "source": source,
            "segments": segments,
            "missing": missing,
            "archive": archive,
            "latest": latest,
            "last_check": archive.checks[0] if archive.checks else None,
            "archived_segments": archived_segments,
            "archived_missing": archived_missing,
            "json_url": reverse("source-detail", kwargs={"pk": source.pk}),
            "archive_json_url": reverse("source-captures", kwargs={"source_id": source.pk}),
        },
    )
