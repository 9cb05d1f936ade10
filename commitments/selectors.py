"""Reads of commitments. Views, exports and feeds start from `commitments_visible_to`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg, StringAgg
from django.contrib.postgres.search import SearchQuery
from django.db.models import (
    DateTimeField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from commitments.models import Actor, Citation, Commitment, DeadlineChange, Party, StatusChange


def tracker_today() -> date:
    """Today's date where the tracker is: deadlines end at midnight in TRACKER_TIME_ZONE."""
    return timezone.now().astimezone(ZoneInfo(settings.TRACKER_TIME_ZONE)).date()


def user_sees_drafts(user) -> bool:
    return bool(user and user.is_authenticated and user.is_staff)


def commitments_visible_to(user) -> QuerySet[Commitment]:
    """Staff see drafts; everyone else (anonymous or a non-staff token) published only."""
    queryset = Commitment.objects.all()
    if not user_sees_drafts(user):
        queryset = queryset.filter(is_published=True)
    return queryset


@dataclass(frozen=True)
class HistoryEntry:
    kind: str  # "status" or "deadline"
    recorded_at: datetime
    change: StatusChange | DeadlineChange


def commitment_history(*, commitment: Commitment) -> list[HistoryEntry]:
    """Status and deadline changes, oldest first, each with its evidence and source loaded."""
    statuses = (
        StatusChange.objects.filter(commitment=commitment)
        .select_related("evidence__source", "recorded_by")
        .order_by("recorded_at", "id")
    )
    deadlines = (
        DeadlineChange.objects.filter(commitment=commitment)
        .select_related("evidence__source", "recorded_by")
        .order_by("recorded_at", "id")
    )
    entries = [HistoryEntry("status", c.recorded_at, c) for c in statuses] + [
        HistoryEntry("deadline", c.recorded_at, c) for c in deadlines
    ]
    return sorted(entries, key=lambda entry: (entry.recorded_at, entry.change.version))


# --- the API's reads --------------------------------------------------------------------------


def commitments_for_api(*, user) -> QuerySet[Commitment]:
    """Commitments `user` may see, with what the API shape needs: one query per page for the
    rows, one for their parties (with actors), one for their citations (with sources)."""
    return (
        commitments_visible_to(user)
        .defer("search_vector")
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=Party.objects.select_related("actor").only(
                    "id",
                    "commitment_id",
                    "role",
                    "actor__id",
                    "actor__slug",
                    "actor__name",
                    "actor__kind",
                    "actor__updated_at",
                ),
            ),
            Prefetch(
                "citations",
                # Only the brief source: its full text can be long, and no view needs it here.
                queryset=Citation.objects.select_related("source").only(
                    "id",
                    "commitment_id",
                    "quote",
                    "note",
                    "created_at",
                    "source__id",
                    "source__title",
                    "source__publisher",
                    "source__updated_at",
                ),
            ),
        )
    )


def _iso_utc(column: str) -> str:
    """SQL for a timestamptz as DRF writes it: ISO 8601 in UTC with "Z", microseconds only
    when there are some (Python's isoformat())."""
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (
        f"""to_char({utc}, 'YYYY-MM-DD"T"HH24:MI:SS') """
        f"""|| CASE WHEN date_trunc('second', {utc}) = {utc} THEN '' """
        f"""ELSE to_char({utc}, '.US') END || 'Z'"""
    )


# One commitment as CommitmentSerializer represents it, written by PostgreSQL, for the outer
# query's row of commitments_commitment (C). Same keys in the same order, same values, same
# nested order (Party.Meta, Citation.Meta): tests/commitments/api/test_json_in_sql.py holds it
# to the serializer. `json`, not `jsonb`, which would reorder the keys.
C = Commitment._meta.db_table
COMMITMENT_JSON_SQL = f"""
json_build_object(
    'id', {C}.id, 'reference', {C}.reference, 'title', {C}.title,
    'description', {C}.description, 'kind', {C}.kind, 'status', {C}.status,
    'is_published', {C}.is_published,
    'deadline', CASE WHEN {C}.deadline_last_day IS NULL THEN NULL ELSE json_build_object(
        'text', {C}.deadline_text, 'edtf', {C}.deadline_edtf,
        'first_day', {C}.deadline_first_day, 'last_day', {C}.deadline_last_day) END,
    'is_overdue', {C}.is_overdue, 'overdue_since', {C}.overdue_since,
    'recurring', {C}.recurring, 'parent', {C}.parent_id, 'tags', {C}.tags,
    'announced_on', {C}.announced_on,
    'parties', coalesce((
        SELECT json_agg(json_build_object(
                   'actor', json_build_object(
                       'id', a.id, 'slug', a.slug, 'name', a.name, 'kind', a.kind),
                   'role', p.role) ORDER BY p.role, p.actor_id)
          FROM commitments_party p JOIN commitments_actor a ON a.id = p.actor_id
         WHERE p.commitment_id = {C}.id), '[]'),
    'citations', coalesce((
        SELECT json_agg(json_build_object(
                   'id', ci.id,
                   'source', json_build_object(
                       'id', s.id, 'title', s.title, 'publisher', s.publisher),
                   'quote', ci.quote, 'note', ci.note,
                   'created_at', {_iso_utc("ci.created_at")}) ORDER BY ci.id)
          FROM commitments_citation ci JOIN sources_source s ON s.id = ci.source_id
         WHERE ci.commitment_id = {C}.id), '[]'),
    'version', {C}.version,
    'created_at', {_iso_utc(f"{C}.created_at")}, 'updated_at', {_iso_utc(f"{C}.updated_at")}
)::text
"""

# The latest change of the brief actors and sources a commitment shows (part of its ETag).
NESTED_UPDATED_AT_SQL = f"""
SELECT max(nested.updated_at) FROM (
    SELECT a.updated_at FROM commitments_party p
      JOIN commitments_actor a ON a.id = p.actor_id WHERE p.commitment_id = {C}.id
    UNION ALL
    SELECT s.updated_at FROM commitments_citation ci
      JOIN sources_source s ON s.id = ci.source_id WHERE ci.commitment_id = {C}.id
) AS nested
"""


def commitments_with_api_json(
    queryset: QuerySet[Commitment], *, with_nested_updated_at: bool = False
) -> QuerySet[Commitment]:
    """`queryset` with each commitment's API representation as `api_json`: the JSON text of
    CommitmentSerializer's shape, nested parties and citations included, built by PostgreSQL
    in the same query. The list and the detail read it instead of loading a model instance
    per party and citation and serializing them in Python (bench/README.md measures both).

    `with_nested_updated_at` adds `nested_updated_at`, the latest change of the actors and
    sources shown (part of the ETag).
    """
    annotations = {"api_json": RawSQL(COMMITMENT_JSON_SQL, (), output_field=TextField())}
    if with_nested_updated_at:
        annotations["nested_updated_at"] = RawSQL(
            f"({NESTED_UPDATED_AT_SQL})", (), output_field=DateTimeField()
        )
    return queryset.defer("search_vector", "description").annotate(**annotations)


def commitments_with_party(
    queryset: QuerySet[Commitment],
    *,
    actors=(),
    roles: list[str] | tuple = (),
    countries: list[str] | tuple = (),
) -> QuerySet[Commitment]:
    """Commitments with one party that meets every condition given (actor, role, the actor's
    country): `actor=osce&role=partner` means OSCE *as* partner. A semi-join, so no
    duplicates and no DISTINCT."""
    parties = Party.objects.all()
    if actors:
        parties = parties.filter(actor__in=list(actors))
    if roles:
        parties = parties.filter(role__in=list(roles))
    if countries:
        parties = parties.filter(actor__country__in=[c.upper() for c in countries])
    return queryset.filter(id__in=parties.values("commitment_id"))


def commitments_citing(queryset: QuerySet[Commitment], *, sources) -> QuerySet[Commitment]:
    return queryset.filter(
        id__in=Citation.objects.filter(source__in=list(sources)).values("commitment_id")
    )


def commitments_tagged(queryset: QuerySet[Commitment], *, tags: list[str]) -> QuerySet[Commitment]:
    """Commitments carrying every one of the tags (GIN-indexed array containment)."""
    return queryset.filter(tags__contains=sorted({tag.lower() for tag in tags}))


def commitments_search(queryset: QuerySet[Commitment], *, query: str) -> QuerySet[Commitment]:
    """Full text over reference, title, description and deadline, in web-search syntax
    ("quoted phrase", or, -excluded); PostgreSQL never refuses such a query."""
    return queryset.filter(
        search_vector=SearchQuery(query, config="english", search_type="websearch")
    )


def actors_for_api() -> QuerySet[Actor]:
    return Actor.objects.all()


def actor_detail_for_api(*, user) -> QuerySet[Actor]:
    """Actors with their roles in the commitments `user` may see (`visible_parties`)."""
    visible = commitments_visible_to(user).values("id")
    return Actor.objects.prefetch_related(
        Prefetch(
            "parties",
            queryset=Party.objects.filter(commitment_id__in=visible)
            .select_related("commitment")
            .only(
                "id",
                "actor_id",
                "role",
                "commitment__id",
                "commitment__reference",
                "commitment__title",
                "commitment__status",
                "commitment__is_overdue",
            )
            .order_by("commitment__reference", "role"),
            to_attr="visible_parties",
        )
    )


# The CSV export's columns, in order. Parties and source ids are aggregated in SQL.
COMMITMENT_CSV_FIELDS = (
    "id",
    "reference",
    "title",
    "description",
    "kind",
    "status",
    "is_published",
    "deadline_text",
    "deadline_edtf",
    "deadline_first_day",
    "deadline_last_day",
    "is_overdue",
    "overdue_since",
    "recurring",
    "parent_id",
    "tags",
    "announced_on",
    "parties",
    "source_ids",
    "version",
    "created_at",
    "updated_at",
)


def commitments_csv_rows(*, queryset: QuerySet[Commitment]) -> QuerySet:
    """The rows of a CSV export as plain dicts from ONE query, whatever their number.

    An export streams up to every commitment; building model instances with their parties,
    actors, citations and sources costs about a millisecond a row, so a large export would
    outlast a web worker's timeout. Parties ("slug (role); ...") and the cited sources' ids
    come from correlated subqueries on the parties' and citations' commitment indexes.
    """
    parties = (
        Party.objects.filter(commitment=OuterRef("pk"))
        .order_by()
        .values("commitment")
        .annotate(
            text=StringAgg(
                Concat("actor__slug", Value(" ("), "role", Value(")"), output_field=TextField()),
                delimiter="; ",
                order_by=("role", "actor_id"),
            )
        )
        .values("text")
    )
    source_ids = (
        Citation.objects.filter(commitment=OuterRef("pk"))
        .order_by()
        .values("commitment")
        .annotate(ids=ArrayAgg("source_id", distinct=True, order_by="source_id"))
        .values("ids")
    )
    # "parties" would clash with the reverse relation of that name, hence the _csv suffixes.
    return queryset.prefetch_related(None).values(
        *(name for name in COMMITMENT_CSV_FIELDS if name not in ("parties", "source_ids")),
        parties_csv=Coalesce(Subquery(parties), Value(""), output_field=TextField()),
        source_ids_csv=Subquery(source_ids),
    )


def commitment_csv_value(row: dict, name: str):
    """A CSV column's value from a row of `commitments_csv_rows`."""
    if name in ("parties", "source_ids"):
        return row[f"{name}_csv"] or ([] if name == "source_ids" else "")
    return row[name]
