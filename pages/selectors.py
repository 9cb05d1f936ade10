"""Reads for the public pages: published records only, whoever asks (staff included), so a
page can be cached and shared and a draft never shows. Built on commitments' selectors."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.models import AnonymousUser
from django.db.models import F, Prefetch, QuerySet

from commitments.choices import OPEN_STATUSES
from commitments.models import Citation, Commitment, Party, StatusChange
from commitments.selectors import commitments_visible_to, with_progress
from common.translations import with_translations
from config.api.filters import MAX_BIGINT
from sources.models import Source

# What a row of a list or of the timeline shows.
ROW_FIELDS = (
    "id",
    "reference",
    "title",
    "kind",
    "status",
    "deadline_text",
    "deadline_edtf",
    "deadline_first_day",
    "deadline_last_day",
    "is_overdue",
    "overdue_since",
    "status_reason",
    "last_evidence_on",
    "evidence_stale",
    "tags",
    # Who wrote each translation: a title translated by the tracker says so.
    "translation_origins",
)
# With every language's column of the translated ones (the title): one query, whatever the
# page's language and its fallback to English.
ROW_COLUMNS = with_translations(Commitment, ROW_FIELDS)

# The public's orderings of a list: the API's names (commitments.api.views.ORDERING_FIELDS).
ORDERINGS = {
    "deadline": (F("deadline_last_day").asc(nulls_last=True), "id"),
    "-deadline": (F("deadline_last_day").desc(nulls_last=True), "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
}


def published_commitments() -> QuerySet[Commitment]:
    return commitments_visible_to(AnonymousUser())


def commitment_rows(queryset: QuerySet[Commitment], *, ordering: str) -> QuerySet[Commitment]:
    return with_progress(queryset.only(*ROW_COLUMNS)).order_by(*ORDERINGS[ordering])


def timeline_rows(queryset: QuerySet[Commitment]) -> QuerySet[Commitment]:
    """Commitments with a deadline, earliest period first."""
    return with_progress(
        queryset.filter(deadline_last_day__isnull=False).only(*ROW_COLUMNS)
    ).order_by("deadline_first_day", "deadline_last_day", "id")


def overdue_commitments(*, limit: int) -> list[Commitment]:
    """The longest overdue first."""
    return list(
        published_commitments()
        .filter(is_overdue=True)
        .only(*ROW_COLUMNS)
        .order_by("overdue_since", "id")[:limit]
    )


def due_soon_commitments(*, today: date, days: int, limit: int) -> list[Commitment]:
    """Open commitments whose deadline ends between today and `days` from now, soonest first."""
    return list(
        published_commitments()
        .filter(
            status__in=OPEN_STATUSES,
            deadline_last_day__gte=today,
            deadline_last_day__lte=today + timedelta(days=days),
        )
        .only(*ROW_COLUMNS)
        .order_by("deadline_last_day", "id")[:limit]
    )


def latest_status_changes(*, limit: int) -> list[StatusChange]:
    """The newest status changes of published commitments, each with its evidence."""
    return list(
        StatusChange.objects.filter(commitment__in=published_commitments().values("id"))
        .select_related("commitment", "evidence__source")
        .defer("evidence__source__text", "evidence__source__search_vector")
        .order_by("-effective_on", "-recorded_at", "-id")[:limit]
    )


def commitment_for_page(*, reference: str) -> Commitment | None:
    """A published commitment with its parties, citations and published milestones; None
    for a draft exactly as for a reference that does not exist."""
    if "\x00" in reference:  # no reference holds one, and PostgreSQL refuses it in text
        return None
    published = published_commitments()
    return (
        with_progress(published.filter(reference=reference))
        .defer("search_vector")
        .select_related("replaced_by")
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=Party.objects.select_related("actor", "status_evidence__source"),
            ),
            Prefetch(
                "citations",
                queryset=Citation.objects.select_related("source").defer(
                    "source__text", "source__search_vector"
                ),
            ),
            Prefetch(
                "milestones",
                queryset=published.only(*ROW_COLUMNS, "parent_id").order_by(
                    "deadline_last_day", "id"
                ),
                to_attr="published_milestones",
            ),
        )
        .first()
    )


def published_parent(*, commitment: Commitment) -> Commitment | None:
    """The programme a commitment is a milestone of, when that one is published too."""
    if commitment.parent_id is None:
        return None
    return published_commitments().only(*ROW_COLUMNS).filter(pk=commitment.parent_id).first()


def source_for_page(*, source_id: int) -> Source | None:
    """A source with the citations of published commitments that quote it."""
    if source_id > MAX_BIGINT:  # past the id column's range: no such source
        return None
    return (
        Source.objects.defer("search_vector")
        .filter(pk=source_id)
        .prefetch_related(
            Prefetch(
                "citations",
                queryset=Citation.objects.filter(
                    commitment__in=published_commitments().values("id")
                )
                .select_related("commitment")
                .only(
                    "id", "quote", "note", "source_id", *(f"commitment__{f}" for f in ROW_COLUMNS)
                )
                .order_by("id"),
                to_attr="published_citations",
            )
        )
        .first()
    )
