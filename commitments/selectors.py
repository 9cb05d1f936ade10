"""Reads of commitments. Views, exports and feeds start from `commitments_visible_to`."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg, StringAgg
from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    F,
    Func,
    JSONField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import MD5, Cast, Coalesce, Concat, JSONObject
from django.utils import timezone

from commitments import progress
from commitments.api.serializers import CommitmentSerializer, CommitmentStaffSerializer
from commitments.choices import ACTING_ROLES
from commitments.fields import COMMITMENT_FIELDS
from commitments.history import HistoryEntry
from commitments.models import (
    Actor,
    Citation,
    Claim,
    ClaimResolution,
    Commitment,
    DeadlineChange,
    Party,
    PartyStatusChange,
    StatusChange,
)
from common.json_sql import json_sql, translation_state_sql
from common.search import SEARCH_RANK, search_filter
from common.translations import LANGUAGE_CODES, with_translations
from config.api.export import TRANSLATION_CSV_COLUMNS, translation_csv_value


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


def commitment_history(*, commitment: Commitment) -> list[HistoryEntry]:
    """Status, party status and deadline changes, oldest first, each with its evidence and
    source loaded."""
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
    parties = (
        PartyStatusChange.objects.filter(party__commitment=commitment)
        .select_related("evidence__source", "recorded_by", "party__actor")
        .order_by("recorded_at", "id")
    )
    entries = [
        *(HistoryEntry("status", c.recorded_at, c) for c in statuses),
        *(HistoryEntry("party_status", c.recorded_at, c) for c in parties),
        *(HistoryEntry("deadline", c.recorded_at, c) for c in deadlines),
    ]
    # A party's change has no version of its own; it was recorded before the commitment's
    # change it caused.
    return sorted(
        entries, key=lambda entry: (entry.recorded_at, getattr(entry.change, "version", 0))
    )


def with_progress(queryset: QuerySet[Commitment]) -> QuerySet[Commitment]:
    """`queryset` with each commitment's `progress` from its published milestones, as the
    database derives it (commitments/progress.py): null for a commitment without any."""
    return queryset.annotate(
        progress=Func(F("id"), function=progress.FUNCTION, output_field=JSONField())
    )


def party_of(*, commitment: Commitment, actor: Actor, role: str | None = None) -> Party:
    """The acting party of `actor` in `commitment` (in `role` when given); a ValidationError
    naming the field when there is none, or two and no role says which."""
    parties = list(
        Party.objects.filter(
            commitment=commitment, actor=actor, role__in=[role] if role else ACTING_ROLES
        ).select_related("actor", "commitment")
    )
    if not parties:
        roles = ", ".join([role] if role else ACTING_ROLES)
        raise ValidationError(
            {"actor": [f"{actor} is not a party ({roles}) of {commitment.reference}."]}
        )
    if len(parties) > 1:
        raise ValidationError(
            {"role": [f"{actor} is both {' and '.join(p.role for p in parties)}: name the role."]}
        )
    return parties[0]


# --- the API's reads --------------------------------------------------------------------------


def commitment_json_sql(alias: str, *, staff: bool = False, language: str | None = None) -> str:
    """SQL (of type json) for one commitment as the API shows it, in `language` (by default
    the active one), for the row of commitments_commitment aliased `alias`: generated from
    CommitmentSerializer (CommitmentStaffSerializer for staff, with every language's text)."""
    serializer = CommitmentStaffSerializer if staff else CommitmentSerializer
    return json_sql(serializer, alias, language=language)


def commitment_api_json_variants(*, pk: int) -> dict[tuple[str, bool], str]:
    """The commitment's API JSON in every language, for staff and for others, from one
    query: {(language, staff): json}."""
    table = Commitment._meta.db_table
    variants = {
        (language, staff): f"v_{language}_{int(staff)}"
        for language in LANGUAGE_CODES
        for staff in (False, True)
    }
    annotations = {
        name: RawSQL(
            f"({commitment_json_sql(table, staff=staff, language=language)})::text",
            (),
            output_field=TextField(),
        )
        for (language, staff), name in variants.items()
    }
    row = Commitment.objects.filter(pk=pk).values(**annotations).get()
    return {key: row[name] for key, name in variants.items()}


def commitments_with_api_json(
    queryset: QuerySet[Commitment], *, staff: bool = False
) -> QuerySet[Commitment]:
    """`queryset` with each commitment's API representation as `api_json`, the JSON text
    PostgreSQL writes in the same query (nested parties and citations included), instead of
    a model instance per party and citation serialized in Python."""
    sql = f"({commitment_json_sql(Commitment._meta.db_table, staff=staff)})::text"
    return queryset.defer("search_vector", "description").annotate(
        api_json=RawSQL(sql, (), output_field=TextField())
    )


def commitments_with_party(
    queryset: QuerySet[Commitment],
    *,
    actors=(),
    actor_slugs: list[str] | tuple = (),
    roles: list[str] | tuple = (),
    countries: list[str] | tuple = (),
    party_statuses: list[str] | tuple = (),
) -> QuerySet[Commitment]:
    """Commitments with one party that meets every condition given (actor, role, the actor's
    country, the party's own status): `actor=osce&role=partner` means OSCE *as* partner,
    `actor=pakistan&party_status=in_progress` Pakistan's own part in progress. A semi-join,
    so no duplicates and no DISTINCT.

    `actors` are rows or ids; `actor_slugs` name actors too, matched in the same query (the
    alerts feed does not look its values up first)."""
    parties = Party.objects.all()
    if actors or actor_slugs:
        named = Q(actor__in=list(actors)) if actors else Q()
        if actor_slugs:
            named |= Q(actor__slug__in=list(actor_slugs))
        parties = parties.filter(named)
    if roles:
        parties = parties.filter(role__in=list(roles))
    if countries:
        parties = parties.filter(actor__country__in=[c.upper() for c in countries])
    if party_statuses:
        parties = parties.filter(status__in=list(party_statuses))
    return queryset.filter(id__in=parties.values("commitment_id"))


def commitments_citing(queryset: QuerySet[Commitment], *, sources) -> QuerySet[Commitment]:
    return queryset.filter(
        id__in=Citation.objects.filter(source__in=list(sources)).values("commitment_id")
    )


def commitments_disputed(
    queryset: QuerySet[Commitment], *, disputed: bool = True, facts=()
) -> QuerySet[Commitment]:
    """Commitments whose sources disagree (on any of `facts`, when given), or, with
    `disputed=False`, on nothing. Reads the derived `disputed_facts` column."""
    if facts:
        return queryset.filter(disputed_facts__overlap=list(facts))
    if disputed:
        return queryset.exclude(disputed_facts=[])
    return queryset.filter(disputed_facts=[])


def commitments_tagged(queryset: QuerySet[Commitment], *, tags: list[str]) -> QuerySet[Commitment]:
    """Commitments carrying every one of the tags (GIN-indexed array containment)."""
    return queryset.filter(tags__contains=sorted({tag.lower() for tag in tags}))


def commitments_search(queryset: QuerySet[Commitment], *, query: str) -> QuerySet[Commitment]:
    """Full text over reference, title, the parties' names, description and deadline
    (common.search: Russian and English stems, accents folded, prefixes), each row ranked as
    `search_rank`. The API, the public pages and the admin all search through here."""
    return search_filter(queryset, query=query, rank_as=SEARCH_RANK)


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
                "status",
                "commitment__id",
                "commitment__reference",
                *(f"commitment__{name}" for name in with_translations(Commitment, ("title",))),
                "commitment__status",
                "commitment__is_overdue",
            )
            .order_by("commitment__reference", "role"),
            to_attr="visible_parties",
        )
    )


# The CSV export's columns: the shown fields of COMMITMENT_FIELDS, each relation aggregated into
# one column: "slug (role); ..." for the parties ("slug (role: status)" for a party with a status
# of its own), the cited sources' ids for the citations, "fact=value (source id); ..." for the
# claims, "fact: claim id; ..." for the resolutions.
CSV_RELATION_COLUMNS = {
    "parties": "parties",
    "citations": "source_ids",
    "claims": "claims",
    "resolutions": "resolutions",
}
# The current status's evidence, after the status column: the date, source and quote of the
# status change that set it (empty for a status the commitment was created with).
CSV_STATUS_COLUMNS = {
    "status_changed_on": "effective_on",
    "status_source_id": "evidence__source_id",
    "status_quote": "evidence__quote",
}
_FLAT_COLUMNS = COMMITMENT_FIELDS.flat_columns(CSV_RELATION_COLUMNS)
_AFTER_STATUS = _FLAT_COLUMNS.index("status") + 1
COMMITMENT_CSV_FIELDS = (
    *_FLAT_COLUMNS[:_AFTER_STATUS],
    *CSV_STATUS_COLUMNS,
    *_FLAT_COLUMNS[_AFTER_STATUS:],
    *TRANSLATION_CSV_COLUMNS,
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
                Concat(
                    "actor__slug",
                    Value(" ("),
                    "role",
                    # A party's own status after its role: "pakistan (partner: in_progress)".
                    Case(
                        When(~Q(status=""), then=Concat(Value(": "), "status")),
                        default=Value(""),
                    ),
                    Value(")"),
                    output_field=TextField(),
                ),
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
    claims = _joined_text(
        Claim.objects.filter(commitment=OuterRef("pk")),
        Concat(
            "fact",
            Value("="),
            "value",
            Value(" (source "),
            "citation__source_id",
            Value(")"),
            output_field=TextField(),
        ),
    )
    resolutions = _joined_text(
        ClaimResolution.objects.filter(commitment=OuterRef("pk")),
        Concat("fact", Value(": claim "), "followed_claim_id", output_field=TextField()),
    )
    # One subquery for the three status columns (the latest change to the current status, on
    # the (commitment, version) unique index), read apart in commitment_csv_value.
    status_change = (
        StatusChange.objects.filter(commitment=OuterRef("pk"), new_status=OuterRef("status"))
        .order_by("-version")
        .values(change=JSONObject(**CSV_STATUS_COLUMNS))[:1]
    )
    # "parties" would clash with the reverse relation of that name, hence the _csv suffixes.
    return queryset.prefetch_related(None).values(
        *(name for name in _FLAT_COLUMNS if name not in CSV_RELATION_COLUMNS.values()),
        parties_csv=Coalesce(Subquery(parties), Value(""), output_field=TextField()),
        source_ids_csv=Subquery(source_ids),
        claims_csv=Coalesce(Subquery(claims), Value(""), output_field=TextField()),
        resolutions_csv=Coalesce(Subquery(resolutions), Value(""), output_field=TextField()),
        status_change_csv=Subquery(status_change),
        translation_csv=RawSQL(
            f"({translation_state_sql(Commitment, Commitment._meta.db_table)})::jsonb",
            (),
            output_field=JSONField(),
        ),
    )


def _joined_text(rows: QuerySet, item) -> QuerySet:
    """One text of `item` over `rows` (correlated to the commitment), "; "-separated by id."""
    return (
        rows.order_by()
        .values("commitment")
        .annotate(text=StringAgg(item, delimiter="; ", order_by="id", output_field=TextField()))
        .values("text")
    )


def commitment_csv_value(row: dict, name: str):
    """A CSV column's value from a row of `commitments_csv_rows`."""
    if name in CSV_RELATION_COLUMNS.values():
        return row[f"{name}_csv"] or ([] if name == "source_ids" else "")
    if name in CSV_STATUS_COLUMNS:
        return (row["status_change_csv"] or {}).get(name)
    if name in TRANSLATION_CSV_COLUMNS:
        return translation_csv_value(row["translation_csv"], TRANSLATION_CSV_COLUMNS[name])
    return row[name]


def deadline_calendar_rows(*, queryset: QuerySet[Commitment]) -> QuerySet[Commitment]:
    """The commitments of `queryset` that have a deadline, in the calendar's order."""
    return queryset.filter(deadline_last_day__isnull=False).order_by("deadline_last_day", "id")


def deadline_calendar_state(*, queryset: QuerySet[Commitment]) -> tuple[str, datetime | None]:
    """A digest of what a deadline calendar of `queryset` lists, and its latest change, from one
    aggregate query: a row added, removed or changed (its version or updated_at) changes the
    digest, so it can decide an ETag without rendering the calendar."""
    row = (
        deadline_calendar_rows(queryset=queryset)
        .order_by()
        .aggregate(
            digest=MD5(
                Coalesce(
                    StringAgg(
                        Concat(
                            Cast("id", TextField()),
                            Value(":"),
                            Cast("version", TextField()),
                            Value(":"),
                            Cast("updated_at", TextField()),
                            output_field=TextField(),
                        ),
                        delimiter=",",
                        order_by="id",
                    ),
                    Value(""),
                    output_field=TextField(),
                )
            ),
            last_modified=Max("updated_at"),
        )
    )
    return row["digest"], row["last_modified"]
