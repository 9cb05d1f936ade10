"""Every write to commitments, actors, parties and citations goes through here.

Each function is one transaction, takes keyword arguments, validates (`full_clean`) before it
saves, and bumps the commitment's version, which the API uses for ETag and If-Match. Refusals
are `ValidationError`s keyed by the field that is wrong; a stale `expected_version` is a
`VersionConflict`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Substr
from django.utils import timezone

from commitments import signals
from commitments.choices import (
    ACTING_ROLES,
    OPEN_STATUSES,
    REASON_MAPPINGS,
    REASON_STATUSES,
    ClaimFact,
    PartyRole,
    Status,
    StatusReason,
    StatusSource,
    status_from_parties,
)
from commitments.claims import claim_value_parse, disputed_facts
from commitments.deadlines import Deadline, deadline_parse
from commitments.fields import ACTOR_FIELDS, COMMITMENT_FIELDS
from commitments.models import (
    FIRST_OVERDUE_DAY,
    MAY_BECOME_OVERDUE,
    MAY_BECOME_STALE,
    OVERDUE_STALE,
    OVERDUE_WITH_DEADLINE,
    UNCHECKED_SINCE_DEADLINE,
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
from commitments.selectors import tracker_today
from common.search import search_document, search_vectors_write
from common.services import VersionConflict, fields_set, refuse_unknown_fields
from common.translations import (
    LANGUAGE_CODES,
    base_language_data,
    localized,
    localized_columns,
    translations_apply,
)
from sources.models import Source
from sources.selectors import fold_whitespace, source_text_contains
from sources.services import SEARCHED_CHARACTERS


@dataclass(frozen=True)
class PartySpec:
    actor: Actor
    role: str


@dataclass(frozen=True)
class CitationSpec:
    source: Source
    quote: str
    note: str = ""


@dataclass(frozen=True)
class ClaimSpec:
    """A fact the quote states; the quote becomes (or is) one of the commitment's citations."""

    fact: str
    value: str
    source: Source
    quote: str
    note: str = ""


# --- helpers --------------------------------------------------------------------------------


def _search_refresh(commitment_ids: Iterable[int]) -> None:
    """Rewrite the search vectors of these commitments from their text and their parties'
    names (common.search: Russian, English and exact words, accents folded). A hundred at a
    time: a renamed actor may be a party to thousands, each with a long description."""
    ids = list(commitment_ids)
    for start in range(0, len(ids), 100):
        _search_refresh_some(ids[start : start + 100])


def _search_refresh_some(ids: list[int]) -> None:
    # Every language's text: a query finds a commitment in whichever language it is written.
    names: dict[int, list[str]] = defaultdict(list)
    actor_names = [f"actor__{column}" for column in localized_columns(Actor)]
    for commitment_id, *actor_texts in Party.objects.filter(commitment_id__in=ids).values_list(
        "commitment_id", *actor_names
    ):
        names[commitment_id] += [text for text in actor_texts if text]
    titles = [localized("title", language) for language in LANGUAGE_CODES]
    # Not all of a long description: see sources.services.SEARCHED_CHARACTERS.
    heads = {
        f"head_{language}": Substr(localized("description", language), 1, SEARCHED_CHARACTERS)
        for language in LANGUAGE_CODES
    }
    rows = (
        Commitment.objects.filter(pk__in=ids)
        .annotate(**heads)
        .values("id", "reference", "deadline_text", *titles, *heads)
    )
    documents = {
        row["id"]: search_document(
            {
                "A": [row["reference"], *(row[title] or "" for title in titles)],
                "B": list(dict.fromkeys(names[row["id"]])),
                "C": [row[head] or "" for head in heads],
                "D": [row["deadline_text"]],
            }
        )
        for row in rows
    }
    search_vectors_write(Commitment._meta.db_table, documents)


def _lock(commitment: Commitment, expected_version: int | None) -> Commitment:
    """Lock the row for this transaction; refuse if the caller's version is stale."""
    # NO KEY UPDATE: writers of this commitment still queue behind each other, but a row that
    # merely references it (an alert, a citation: the foreign key check takes KEY SHARE) is not
    # blocked — else the tracker's alert insert and a status change could deadlock.
    locked = Commitment.objects.select_for_update(no_key=True).get(pk=commitment.pk)
    if expected_version is not None and locked.version != expected_version:
        raise VersionConflict(expected=expected_version, current=locked.version)
    return locked


def _bump_version(commitment: Commitment) -> None:
    Commitment.objects.filter(pk=commitment.pk).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    commitment.refresh_from_db(fields=["version", "updated_at"])


def _normalise_tags(tags: Iterable[str]) -> list[str]:
    normalised = sorted({tag.strip().lower() for tag in tags if tag and tag.strip()})
    # A cap, so that one record cannot carry thousands (each tag is a slug of at most 50
    # characters: the column's own validation).
    most = settings.COMMITMENT_TAGS_MAX
    if len(normalised) > most:
        raise ValidationError(
            {"tags": [f"At most {most} tags per commitment; this one has {len(normalised)}."]}
        )
    return normalised


def _parse_deadline_for(field: str, value: str | None) -> Deadline | None:
    if value is None or not str(value).strip():
        return None
    try:
        return deadline_parse(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


def _apply_deadline(commitment: Commitment, deadline: Deadline | None) -> None:
    commitment.deadline_text = deadline.text if deadline else ""
    commitment.deadline_edtf = deadline.edtf if deadline else ""
    commitment.deadline_first_day = deadline.first_day if deadline else None
    commitment.deadline_last_day = deadline.last_day if deadline else None


def _overdue_refresh(commitment: Commitment) -> list[tuple[int, date]]:
    """The overdue flag of a commitment whose deadline was just set, as the tracker's scan
    would set it today, in this transaction: the answer to the write is already right (a
    deadline in the past is overdue at once). Returns what became overdue, for its alert."""
    today = tracker_today()
    flags = commitments_refresh_overdue_flags(today=today, commitment_ids=[commitment.pk])
    # A deadline long past with no evidence since is stale evidence too, at once.
    _stale_refresh(commitment)
    commitment.refresh_from_db(
        fields=["is_overdue", "overdue_since", "evidence_stale", "version", "updated_at"]
    )
    return flags.became_overdue


def evidence_quote_problem(quote: str | None) -> str | None:
    """Why this quote cannot be evidence, or None. The one rule for every quote a form or the
    API takes (whitespace folded): a few characters ("e") occur in any text and prove nothing."""
    folded = fold_whitespace(quote or "")
    if not folded:
        return "This change needs evidence: a quote from the source."
    shortest = settings.EVIDENCE_QUOTE_MIN_LENGTH
    if len(folded) < shortest:
        return (
            f"A quote is evidence only if it is at least {shortest} characters long (spaces "
            f"folded); this one has {len(folded)}. Quote the sentence that says it."
        )
    return None


def _require_evidence(*, source: Source | None, quote: str | None, errors: dict) -> None:
    if source is None:
        errors["source"] = ["This change needs evidence: the source it is based on."]
    problem = evidence_quote_problem(quote)
    if problem:
        errors["quote"] = [problem]


def _validate_effective_on(effective_on: date | None, errors: dict) -> None:
    if effective_on is None:
        errors["effective_on"] = ["The date the change took effect is required."]
    elif effective_on > tracker_today():
        errors["effective_on"] = [
            f"{effective_on.isoformat()} is in the future: record a change once it took effect."
        ]


def _citation_get_or_add(
    *, commitment: Commitment, source: Source, quote: str, created_by
) -> Citation:
    folded = fold_whitespace(quote)
    existing = Citation.objects.filter(commitment=commitment, source=source, quote=folded).first()
    if existing is not None:
        return existing
    return _citation_create(
        commitment=commitment, source=source, quote=folded, note="", created_by=created_by
    )


def _citation_create(
    *, commitment: Commitment, source: Source, quote: str, note: str, created_by
) -> Citation:
    folded = fold_whitespace(quote or "")
    if not folded:
        raise ValidationError({"quote": ["A citation needs a quote from the source."]})
    problem = evidence_quote_problem(folded)
    if problem:
        raise ValidationError({"quote": [problem]})
    if not source_text_contains(source=source, quote=folded):
        raise ValidationError(
            {
                "quote": [
                    f"This quote does not occur in the source “{source.title}” (id {source.pk}), "
                    "even with whitespace folded. Copy it exactly from the source's text."
                ]
            }
        )
    citation = Citation(
        commitment=commitment, source=source, quote=folded, note=note, created_by=created_by
    )
    try:
        citation.full_clean()
    except ValidationError as error:
        if "__all__" in error.message_dict:  # the unique constraint, in words users know
            raise ValidationError(
                {"quote": ["This quote from this source is already cited for this commitment."]}
            ) from None
        raise
    citation._history_user = created_by
    citation.save()
    _last_evidence_note(commitment=commitment, day=source.published_on or tracker_today())
    return citation


def _stale_refresh(commitment: Commitment) -> None:
    """The stale-evidence flag of one commitment as the scan would set it today, in this
    write's transaction (the write moves the version itself); what it flags is announced for
    its alert."""
    flags = commitments_refresh_stale_flags(
        today=tracker_today(), commitment_ids=[commitment.pk], version_bump=False
    )
    if flags.became_stale:
        signals.evidence_went_stale.send(sender=Commitment, became_stale=flags.became_stale)


def _last_evidence_note(*, commitment: Commitment, day: date) -> None:
    """Move the commitment's newest evidence day on to `day` if it is newer, and let the
    stale-evidence flag follow at once (as the overdue flag follows a new deadline)."""
    moved = Commitment.objects.filter(
        Q(last_evidence_on__isnull=True) | Q(last_evidence_on__lt=day), pk=commitment.pk
    ).update(last_evidence_on=day)
    if moved:
        commitment.last_evidence_on = day
        _stale_refresh(commitment)


def _party_create(*, commitment: Commitment, actor: Actor, role: str) -> Party:
    if role not in PartyRole.values:
        raise ValidationError(
            {"role": [f"Unknown role {role!r}; one of: {', '.join(PartyRole.values)}."]}
        )
    party = Party(commitment=commitment, actor=actor, role=role)
    try:
        party.full_clean()
    except ValidationError as error:
        if "__all__" in error.message_dict:
            raise ValidationError(
                {"parties": [f"{actor} is already a {role} of this commitment."]}
            ) from None
        raise
    party.save()
    return party


# --- actors ---------------------------------------------------------------------------------


@transaction.atomic
def actor_create(*, translations: Mapping | None = None, **fields) -> Actor:
    """An actor from the editable fields of ACTOR_FIELDS (slug, name and kind required), in
    English, and its `translations` (common.translations.translations_apply)."""
    refuse_unknown_fields(fields, allowed=ACTOR_FIELDS.editable)
    actor = Actor(**base_language_data(Actor, fields))
    translations_apply(actor, translations or {})
    actor.country = (actor.country or "").upper()
    actor.full_clean()
    actor.save()
    return actor


def _actor_names(actor: Actor) -> list[str]:
    """An actor's names in every language: in the search vectors of its commitments."""
    return [getattr(actor, column) for column in localized_columns(Actor)]


@transaction.atomic
def actor_update(*, actor: Actor, data: dict, translations: Mapping | None = None) -> Actor:
    refuse_unknown_fields(data, allowed=ACTOR_FIELDS.editable)
    actor = Actor.objects.select_for_update().get(pk=actor.pk)
    names_before = _actor_names(actor)
    fields_set(actor, base_language_data(Actor, data))
    translations_apply(actor, translations or {}, fields_sent=data)
    renamed = _actor_names(actor) != names_before
    actor.country = (actor.country or "").upper()
    actor.full_clean()
    actor.save()
    if renamed:  # its commitments are found by its names
        _search_refresh(
            Party.objects.filter(actor=actor).values_list("commitment_id", flat=True).distinct()
        )
    return actor


# --- commitments ----------------------------------------------------------------------------


@transaction.atomic
def commitment_create(
    *,
    status: str = Status.PROPOSED,
    deadline: str | None = None,
    parties: Iterable[PartySpec] = (),
    citations: Iterable[CitationSpec] = (),
    claims: Iterable[ClaimSpec] = (),
    translations: Mapping | None = None,
    created_by=None,
    **fields,
) -> Commitment:
    """Create a commitment with its parties and citations, all or nothing.

    `fields` are the editable fields of COMMITMENT_FIELDS (reference, title and kind are
    required). The initial status and deadline are what the cited evidence supports when it
    is recorded; later changes go through `commitment_record_status_change` and
    `commitment_change_deadline`.
    """
    refuse_unknown_fields(fields, allowed=COMMITMENT_FIELDS.editable_columns)
    citations = list(citations)
    if status != Status.PROPOSED and not citations:
        # As every later status: "completed" with nothing cited would be a claim without a source.
        raise ValidationError(
            {"status": [f"A commitment created as {status!r} needs evidence: cite a source."]}
        )
    commitment = Commitment(status=status, **base_language_data(Commitment, fields))
    translations_apply(commitment, translations or {})
    commitment.tags = _normalise_tags(commitment.tags)
    _apply_deadline(commitment, _parse_deadline_for("deadline", deadline))
    commitment.full_clean()
    _refuse_draft_parent(commitment)
    commitment._history_user = created_by
    commitment.save()
    for party in parties:
        _party_create(commitment=commitment, actor=party.actor, role=party.role)
    for citation in citations:
        _citation_create(
            commitment=commitment,
            source=citation.source,
            quote=citation.quote,
            note=citation.note,
            created_by=created_by,
        )
    for claim in claims:
        _claim_create(commitment=commitment, spec=claim, created_by=created_by)
    _disputed_facts_refresh(commitment)
    _search_refresh([commitment.pk])
    if commitment.is_published:
        _programmes_touch([commitment.parent_id])
    if commitment.has_deadline:
        signals.deadline_changed.send(
            sender=Commitment, commitment=commitment, became_overdue=_overdue_refresh(commitment)
        )
    return commitment


@transaction.atomic
def commitment_update(
    *,
    commitment: Commitment,
    data: dict,
    expected_version: int | None = None,
    parties: Iterable[PartySpec] | None = None,
    translations: Mapping | None = None,
    updated_by=None,
) -> Commitment:
    """Change plain fields in English and their `translations` (and, when given, replace the
    parties). Not status or deadline."""
    errors = {}
    if "status" in data:
        errors["status"] = [
            "The status changes only with evidence: record a status change instead."
        ]
    if "deadline" in data:
        errors["deadline"] = [
            "The deadline changes only with a reason and evidence: record a deadline change."
        ]
    for name in sorted(set(data) - set(COMMITMENT_FIELDS.editable_columns) - set(errors)):
        errors[name] = ["This field cannot be changed."]
    if errors:
        raise ValidationError(errors)
    commitment = _lock(commitment, expected_version)
    before_parent_id = commitment.parent_id
    if "parent" in data and data["parent"] is not None:
        _refuse_parent_cycle(commitment=commitment, parent=data["parent"])
    fields_set(commitment, base_language_data(Commitment, data))
    translations_apply(commitment, translations or {}, fields_sent=data)
    commitment.tags = _normalise_tags(commitment.tags)
    # A number, not F("version") + 1: the history record copies the field into an INSERT,
    # where an F() is refused. The row is locked (`_lock`), so no one else can bump it meanwhile.
    commitment.version += 1
    commitment.full_clean(exclude=["version"])
    _refuse_draft_parent(commitment)
    commitment._history_user = updated_by
    commitment.save()
    commitment.refresh_from_db()
    if parties is not None:
        _parties_replace(commitment=commitment, parties=list(parties))
    if {"parent", "progress_weight", "is_published"} & set(data):
        _programmes_touch([commitment.parent_id, before_parent_id])
    _search_refresh([commitment.pk])
    return commitment


def _parties_replace(*, commitment: Commitment, parties: list[PartySpec]) -> None:
    """The parties named, and no others: a party that stays keeps its own status and history;
    one with a recorded status of its own cannot be removed (its evidence would be lost)."""
    wanted = {(spec.actor.pk, spec.role) for spec in parties}
    current = {(p.actor_id, p.role): p for p in commitment.parties.select_related("actor")}
    leaving = [p for key, p in current.items() if key not in wanted]
    kept_evidence = [str(p) for p in leaving if p.status]
    if kept_evidence:
        raise ValidationError(
            {
                "parties": [
                    f"{', '.join(kept_evidence)} carries its own status with evidence: it "
                    "cannot be removed."
                ]
            }
        )
    Party.objects.filter(pk__in=[p.pk for p in leaving]).delete()
    for spec in parties:
        if (spec.actor.pk, spec.role) not in current:
            _party_create(commitment=commitment, actor=spec.actor, role=spec.role)
    _parties_status_refresh(commitment)


def _programmes_touch(programme_ids: Iterable[int | None]) -> None:
    """A programme's representation holds its progress, derived from its milestones: when
    one changes, the programme's version and updated_at move too (its ETag, clients' sync)."""
    ids = sorted({pk for pk in programme_ids if pk is not None})
    if ids:
        Commitment.objects.filter(pk__in=ids).update(
            version=F("version") + 1, updated_at=timezone.now()
        )


def _refuse_draft_parent(commitment: Commitment) -> None:
    """A published commitment never points at a draft: its `parent` would show the draft's id
    to everyone (in the JSON, the CSV and its page). So the parent is published first, and a
    parent with published milestones stays published; drafts among themselves are free."""
    parent = commitment.parent
    if commitment.is_published and parent is not None and not parent.is_published:
        raise ValidationError(
            {
                "parent": [
                    f"{parent.reference} is a draft: publish it first, or leave the parent "
                    "out while this one is published."
                ]
            }
        )
    if not commitment.is_published and commitment.pk is not None:
        published = list(
            commitment.milestones.filter(is_published=True)
            .order_by("reference")
            .values_list("reference", flat=True)
        )
        if published:
            raise ValidationError(
                {
                    "is_published": [
                        f"Its milestones {', '.join(published)} are published: unpublish them "
                        "first, or give them another parent."
                    ]
                }
            )


def _refuse_parent_cycle(*, commitment: Commitment, parent: Commitment) -> None:
    seen = set()
    node = parent
    while node is not None:
        if node.pk == commitment.pk:
            raise ValidationError(
                {"parent": ["A commitment cannot be its own parent, directly or through others."]}
            )
        if node.pk in seen:
            break
        seen.add(node.pk)
        node = node.parent


@transaction.atomic
def commitment_set_published(
    *, commitment: Commitment, is_published: bool, updated_by=None
) -> Commitment:
    return commitment_update(
        commitment=commitment, data={"is_published": is_published}, updated_by=updated_by
    )


@transaction.atomic
def citation_add(
    *,
    commitment: Commitment,
    source: Source,
    quote: str,
    note: str = "",
    created_by=None,
    expected_version: int | None = None,
) -> Citation:
    commitment = _lock(commitment, expected_version)
    citation = _citation_create(
        commitment=commitment, source=source, quote=quote, note=note, created_by=created_by
    )
    _bump_version(commitment)
    return citation


@transaction.atomic
def citation_annotate(
    *, citation: Citation, note: str, updated_by=None, expected_version: int | None = None
) -> Citation:
    """Change a citation's note (what the quote says, or how far it goes). The source and
    the quote are evidence and never change."""
    _lock(citation.commitment, expected_version)
    citation = Citation.objects.select_for_update().get(pk=citation.pk)
    citation.note = (note or "").strip()
    citation.full_clean(validate_constraints=False)
    citation._history_user = updated_by
    citation.save(update_fields=["note"])
    _bump_version(citation.commitment)
    return citation


@transaction.atomic
def party_add(
    *, commitment: Commitment, actor: Actor, role: str, expected_version: int | None = None
) -> Party:
    commitment = _lock(commitment, expected_version)
    party = _party_create(commitment=commitment, actor=actor, role=role)
    _search_refresh([commitment.pk])
    _bump_version(commitment)
    return party


def _reason_check(
    *,
    status: str,
    reason: str,
    replaced_by: Commitment | None,
    note: str,
    errors: dict,
    of_party: bool = False,
) -> None:
    """The reason a stalled or abandoned status carries (commitments.choices.StatusReason):
    required for those, refused for the others; "superseded" and "merged" name the other
    commitment (`replaced_by`), "other" says why in the note."""
    if status not in REASON_STATUSES:
        if reason:
            errors["reason"] = [
                f"Only a status of {' or '.join(REASON_STATUSES)} carries a reason; "
                f"{status!r} does not."
            ]
        if replaced_by is not None:
            errors["replaced_by"] = ["Only a superseded or merged commitment names another."]
        return
    if not reason:
        errors["reason"] = [
            f"A commitment {status} says why: one of {', '.join(StatusReason.values)}."
        ]
        return
    mapping = REASON_MAPPINGS.get(reason)
    if mapping is None:
        errors["reason"] = [f"Unknown reason {reason!r}; one of: {', '.join(StatusReason.values)}."]
        return
    if mapping.needs_related and of_party:
        errors["reason"] = [
            f"A party's part is not {reason} on its own: record it on the commitment."
        ]
    elif mapping.needs_related and replaced_by is None:
        errors["replaced_by"] = [
            f"A commitment {reason} names the commitment it was {reason} "
            f"{'by' if reason == StatusReason.SUPERSEDED else 'into'}: its id."
        ]
    elif not mapping.needs_related and replaced_by is not None:
        errors["replaced_by"] = [
            f"Only a superseded or merged commitment names another, not {reason!r}."
        ]
    if reason == StatusReason.OTHER and not (note or "").strip():
        errors["note"] = ['The reason "other" is explained in the note.']


def _status_apply(
    *,
    commitment: Commitment,
    status: str,
    effective_on: date,
    evidence: Citation,
    note: str,
    reason: str = "",
    replaced_by: Commitment | None = None,
    party_status_change: PartyStatusChange | None = None,
    recorded_by=None,
) -> StatusChange:
    """Change the locked commitment's status and record the change with its evidence."""
    old_status = commitment.status
    commitment.status = status
    commitment.status_reason = reason
    commitment.replaced_by = replaced_by
    # A number, not F("version") + 1: the history record copies the field into an INSERT,
    # where an F() is refused. The row is locked (`_lock`), so no one else can bump it meanwhile.
    commitment.version += 1
    commitment._history_user = recorded_by
    commitment._change_reason = f"status: {old_status} → {status}"
    commitment.save(
        update_fields=[
            "status",
            "status_reason",
            "replaced_by",
            "status_source",
            "parties_status",
            "version",
            "updated_at",
        ]
    )
    # A final status is never stale; an open one may be again.
    _stale_refresh(commitment)
    commitment.refresh_from_db()
    change = StatusChange.objects.create(
        commitment=commitment,
        old_status=old_status,
        new_status=status,
        effective_on=effective_on,
        note=note,
        evidence=evidence,
        reason=reason,
        replaced_by=replaced_by,
        party_status_change=party_status_change,
        recorded_by=recorded_by,
        version=commitment.version,
    )
    _programmes_touch([commitment.parent_id])
    signals.status_changed.send(sender=StatusChange, status_change=change)
    return change


@transaction.atomic
def commitment_record_status_change(
    *,
    commitment: Commitment,
    status: str,
    effective_on: date | None,
    source: Source | None,
    quote: str | None,
    note: str = "",
    reason: str = "",
    replaced_by: Commitment | None = None,
    recorded_by=None,
    expected_version: int | None = None,
) -> StatusChange:
    """Record a status change backed by a quote from a source. A status may move back
    (a completed programme reopened), like any change, with evidence. A status recorded so
    wins over the one derived from the parties (`status_source` becomes "recorded")."""
    errors: dict[str, list[str]] = {}
    if status not in Status.values:
        errors["status"] = [f"Unknown status {status!r}; one of: {', '.join(Status.values)}."]
    else:
        _reason_check(
            status=status, reason=reason, replaced_by=replaced_by, note=note, errors=errors
        )
    if replaced_by is not None and replaced_by.pk == commitment.pk:
        errors["replaced_by"] = ["A commitment is not superseded by or merged into itself."]
    _require_evidence(source=source, quote=quote, errors=errors)
    _validate_effective_on(effective_on, errors)
    if errors:
        raise ValidationError(errors)
    commitment = _lock(commitment, expected_version)
    if commitment.status == status:
        raise ValidationError(
            {
                "status": [
                    f"The commitment is already {commitment.status!r}: a status change must "
                    "change it."
                ]
            }
        )
    evidence = _citation_get_or_add(
        commitment=commitment, source=source, quote=quote, created_by=recorded_by
    )
    commitment.status_source = StatusSource.RECORDED
    return _status_apply(
        commitment=commitment,
        status=status,
        effective_on=effective_on,
        evidence=evidence,
        note=note,
        reason=reason,
        replaced_by=replaced_by,
        recorded_by=recorded_by,
    )


# --- who kept which part --------------------------------------------------------------------


def _parties_status_refresh(commitment: Commitment) -> None:
    """The status derived from the acting parties' own statuses (commitments.choices.
    status_from_parties), kept in `parties_status` for filters and counts."""
    statuses = [
        party.status or None
        for party in Party.objects.filter(commitment=commitment, role__in=ACTING_ROLES)
    ]
    commitment.parties_status = status_from_parties(statuses) or ""
    Commitment.objects.filter(pk=commitment.pk).update(parties_status=commitment.parties_status)


def _status_follow_parties(
    *, commitment: Commitment, effective_on: date, recorded_by, party_change=None
) -> StatusChange | None:
    """When the status follows the parties and theirs now reads otherwise, change it, citing
    the evidence of the party change that moved it (or the newest one)."""
    derived = commitment.parties_status
    if commitment.status_source != StatusSource.PARTIES or not derived:
        return None
    if derived == commitment.status:
        return None
    if party_change is None:
        party_change = (
            PartyStatusChange.objects.filter(party__commitment=commitment)
            .order_by("-recorded_at", "-id")
            .first()
        )
    return _status_apply(
        commitment=commitment,
        status=derived,
        effective_on=effective_on,
        evidence=party_change.evidence,
        note="Derived from the parties' statuses.",
        party_status_change=party_change,
        recorded_by=recorded_by,
    )


@transaction.atomic
def party_record_status_change(
    *,
    party: Party,
    status: str,
    effective_on: date | None,
    source: Source | None,
    quote: str | None,
    note: str = "",
    reason: str = "",
    recorded_by=None,
    expected_version: int | None = None,
) -> PartyStatusChange:
    """Record a party's own status, with a quote from a source, as a commitment's is. The
    commitment's derived status follows; its status too, when it follows the parties."""
    errors: dict[str, list[str]] = {}
    if party.role not in ACTING_ROLES:
        errors["party"] = [
            f"A {party.role} has no part of its own to keep; only a party that acts "
            f"({', '.join(ACTING_ROLES)}) carries a status."
        ]
    if status not in Status.values:
        errors["status"] = [f"Unknown status {status!r}; one of: {', '.join(Status.values)}."]
    else:
        _reason_check(
            status=status, reason=reason, replaced_by=None, note=note, errors=errors, of_party=True
        )
    _require_evidence(source=source, quote=quote, errors=errors)
    _validate_effective_on(effective_on, errors)
    if errors:
        raise ValidationError(errors)
    commitment = _lock(party.commitment, expected_version)
    party = Party.objects.select_for_update().get(pk=party.pk)
    if party.status == status:
        raise ValidationError(
            {"status": [f"{party.actor}'s part is already {status!r}: a change must change it."]}
        )
    evidence = _citation_get_or_add(
        commitment=commitment, source=source, quote=quote, created_by=recorded_by
    )
    change = PartyStatusChange.objects.create(
        party=party,
        old_status=party.status,
        new_status=status,
        effective_on=effective_on,
        note=note,
        reason=reason,
        evidence=evidence,
        recorded_by=recorded_by,
    )
    party.status, party.status_since = status, effective_on
    party.status_reason, party.status_evidence = reason, evidence
    party._history_user = recorded_by
    party.save(update_fields=["status", "status_since", "status_reason", "status_evidence"])
    _parties_status_refresh(commitment)
    if not _status_follow_parties(
        commitment=commitment,
        effective_on=effective_on,
        recorded_by=recorded_by,
        party_change=change,
    ):
        _bump_version(commitment)
    return change


@transaction.atomic
def commitment_set_status_source(
    *, commitment: Commitment, status_source: str, recorded_by=None, expected_version=None
) -> Commitment:
    """Let the status follow the parties' (it changes at once, citing their newest evidence)
    or keep the one staff recorded."""
    if status_source not in StatusSource.values:
        raise ValidationError(
            {
                "status_source": [
                    f"Unknown status source {status_source!r}; one of: "
                    f"{', '.join(StatusSource.values)}."
                ]
            }
        )
    commitment = _lock(commitment, expected_version)
    if status_source == StatusSource.PARTIES and not commitment.parties_status:
        raise ValidationError(
            {
                "status_source": [
                    "The status can follow the parties once every acting party "
                    f"({', '.join(ACTING_ROLES)}) has a status of its own, with evidence."
                ]
            }
        )
    if commitment.status_source == status_source:
        return commitment
    commitment.status_source = status_source
    Commitment.objects.filter(pk=commitment.pk).update(status_source=status_source)
    if not _status_follow_parties(
        commitment=commitment, effective_on=tracker_today(), recorded_by=recorded_by
    ):
        _bump_version(commitment)
    return commitment


@transaction.atomic
def commitment_change_deadline(
    *,
    commitment: Commitment,
    deadline: str | None,
    reason: str,
    effective_on: date | None,
    source: Source | None,
    quote: str | None,
    recorded_by=None,
    expected_version: int | None = None,
) -> DeadlineChange:
    """Move, set or remove a deadline, with a reason and evidence."""
    errors: dict[str, list[str]] = {}
    try:
        new = _parse_deadline_for("deadline", deadline)
    except ValidationError as error:
        errors.update(error.message_dict)
        new = None
    if not reason or not reason.strip():
        errors["reason"] = ["A deadline change needs a reason."]
    _require_evidence(source=source, quote=quote, errors=errors)
    _validate_effective_on(effective_on, errors)
    if errors:
        raise ValidationError(errors)
    commitment = _lock(commitment, expected_version)
    if (new.edtf if new else "") == commitment.deadline_edtf and (
        new.text if new else ""
    ) == commitment.deadline_text:
        raise ValidationError({"deadline": ["The deadline is unchanged."]})
    evidence = _citation_get_or_add(
        commitment=commitment, source=source, quote=quote, created_by=recorded_by
    )
    old = {
        "old_text": commitment.deadline_text,
        "old_edtf": commitment.deadline_edtf,
        "old_first_day": commitment.deadline_first_day,
        "old_last_day": commitment.deadline_last_day,
    }
    _apply_deadline(commitment, new)
    # A number, not F("version") + 1: the history record copies the field into an INSERT,
    # where an F() is refused. The row is locked (`_lock`), so no one else can bump it meanwhile.
    commitment.version += 1
    commitment._history_user = recorded_by
    commitment._change_reason = f"deadline: {old['old_text'] or '—'} → {new.text if new else '—'}"
    commitment.save(
        update_fields=[
            "deadline_text",
            "deadline_edtf",
            "deadline_first_day",
            "deadline_last_day",
            "version",
            "updated_at",
        ]
    )
    commitment.refresh_from_db()
    _search_refresh([commitment.pk])
    # Before the change is recorded, so that its version is the commitment's after both.
    became_overdue = _overdue_refresh(commitment)
    change = DeadlineChange.objects.create(
        commitment=commitment,
        **old,
        new_text=commitment.deadline_text,
        new_edtf=commitment.deadline_edtf,
        new_first_day=commitment.deadline_first_day,
        new_last_day=commitment.deadline_last_day,
        effective_on=effective_on,
        reason=reason.strip(),
        evidence=evidence,
        recorded_by=recorded_by,
        version=commitment.version,
    )
    signals.deadline_changed.send(
        sender=Commitment, commitment=commitment, became_overdue=became_overdue
    )
    return change


# --- claims and disputes --------------------------------------------------------------------


def _claim_fact_check(fact: str, errors: dict) -> None:
    if fact not in ClaimFact.values:
        errors["fact"] = [f"Unknown fact {fact!r}; one of: {', '.join(ClaimFact.values)}."]


def _claim_create(*, commitment: Commitment, spec: ClaimSpec, created_by) -> Claim:
    errors: dict[str, list[str]] = {}
    _claim_fact_check(spec.fact, errors)
    _require_evidence(source=spec.source, quote=spec.quote, errors=errors)
    if errors:
        raise ValidationError(errors)
    parsed = claim_value_parse(fact=spec.fact, value=spec.value)
    citation = _citation_get_or_add(
        commitment=commitment, source=spec.source, quote=spec.quote, created_by=created_by
    )
    if Claim.objects.filter(citation=citation, fact=spec.fact, value=parsed.value).exists():
        raise ValidationError(
            {"value": [f"This quote already claims {spec.fact} = {parsed.value!r} here."]}
        )
    claim = Claim(
        commitment=commitment,
        citation=citation,
        fact=spec.fact,
        value=parsed.value,
        first_day=parsed.first_day,
        last_day=parsed.last_day,
        note=(spec.note or "").strip(),
        created_by=created_by,
    )
    claim.full_clean()
    claim.save()
    return claim


def _disputed_facts_refresh(commitment: Commitment) -> None:
    """Derive the commitment's disputed facts from its claims; tell the tracker if they moved."""
    claims = Claim.objects.filter(commitment=commitment).only(
        "fact", "value", "first_day", "last_day"
    )
    facts = disputed_facts(claims)
    if facts != list(commitment.disputed_facts):
        Commitment.objects.filter(pk=commitment.pk).update(disputed_facts=facts)
        commitment.disputed_facts = facts
        signals.disputes_changed.send(sender=Commitment, commitment=commitment)


@transaction.atomic
def claim_add(
    *,
    commitment: Commitment,
    fact: str,
    value: str,
    source: Source | None,
    quote: str | None,
    note: str = "",
    created_by=None,
    expected_version: int | None = None,
) -> Claim:
    """A fact the quote states about the commitment. The quote must occur in the source (it
    is cited if it is not yet); the commitment's disputed facts are derived again."""
    commitment = _lock(commitment, expected_version)
    claim = _claim_create(
        commitment=commitment,
        spec=ClaimSpec(fact=fact, value=value, source=source, quote=quote, note=note),
        created_by=created_by,
    )
    _disputed_facts_refresh(commitment)
    _bump_version(commitment)
    return claim


@transaction.atomic
def dispute_resolve(
    *,
    commitment: Commitment,
    fact: str,
    followed_claim: Claim | None,
    note: str,
    source: Source | None,
    quote: str | None,
    recorded_by=None,
    expected_version: int | None = None,
) -> ClaimResolution:
    """Record which claim the project follows on a disputed fact, why, and the evidence for
    that choice. Both claims stay, and the fact stays disputed: the sources still disagree."""
    errors: dict[str, list[str]] = {}
    _claim_fact_check(fact, errors)
    if not note or not note.strip():
        errors["note"] = ["A resolution needs a note: why this claim is followed."]
    _require_evidence(source=source, quote=quote, errors=errors)
    if followed_claim is None:
        errors["followed_claim"] = ["Name the claim the project follows."]
    if errors:
        raise ValidationError(errors)
    commitment = _lock(commitment, expected_version)
    if fact not in commitment.disputed_facts:
        raise ValidationError(
            {"fact": [f"The sources do not disagree on {fact} here: there is nothing to resolve."]}
        )
    if followed_claim.commitment_id != commitment.pk or followed_claim.fact != fact:
        raise ValidationError(
            {
                "followed_claim": [
                    f"Claim {followed_claim.pk} is not one of this commitment's {fact} claims."
                ]
            }
        )
    evidence = _citation_get_or_add(
        commitment=commitment, source=source, quote=quote, created_by=recorded_by
    )
    resolution = ClaimResolution(
        commitment=commitment,
        fact=fact,
        followed_claim=followed_claim,
        note=note.strip(),
        evidence=evidence,
        recorded_by=recorded_by,
    )
    resolution.full_clean()
    resolution.save()
    _bump_version(commitment)
    return resolution


# --- the overdue flag (called by the tracker's deadline scan) --------------------------------


@dataclass(frozen=True)
class OverdueFlagChanges:
    # (commitment id, the deadline's last day) for each commitment flagged by this call
    became_overdue: list[tuple[int, date]]
    cleared: list[int]


def _commitments_where_sql(condition: Q, *, ids: list[int] | None = None) -> tuple[str, list]:
    """`condition` (which may name `first_overdue_day`) as SQL and params for a raw statement
    on the commitments table, compiled by Django as a queryset's WHERE clause would be."""
    rows = Commitment.objects.alias(first_overdue_day=FIRST_OVERDUE_DAY).filter(condition)
    if ids is not None:
        rows = rows.filter(id__in=ids)
    return rows.query.get_compiler(connection=connection).compile(rows.query.where)


def commitments_refresh_overdue_flags(
    *, today: date, commitment_ids: Iterable[int] | None = None
) -> OverdueFlagChanges:
    """Set and clear the overdue flag with set-based UPDATEs; return what changed.

    Overdue: the status is not final and the deadline's last day is before `today`. The flag
    carries the first day it held (the day after the last day). Rows that already hold the
    right value are not touched, so a second call changes nothing. Each changed row's version
    and updated_at move, because the flag is part of the commitment's representation (its
    ETag), and clients that sync by `updated_at` must see it change.

    Each UPDATE filters with the condition one of the overdue flag's partial indexes is
    declared with (commitments/models.py), so a scan with nothing to do costs index probes,
    not a pass over every overdue row. They are raw SQL for the sake of RETURNING.
    """
    ids = None if commitment_ids is None else list(commitment_ids)
    if ids == []:
        # Nothing to scan; `id__in=[]` would not compile (Django raises EmptyResultSet).
        return OverdueFlagChanges(became_overdue=[], cleared=[])
    table = Commitment._meta.db_table
    touched = "version = version + 1, updated_at = now()"
    stays_overdue, stays_params = _commitments_where_sql(
        Q(status__in=OPEN_STATUSES, deadline_last_day__isnull=False, first_overdue_day__lte=today)
    )
    with connection.cursor() as cursor:
        where, params = _commitments_where_sql(
            MAY_BECOME_OVERDUE & Q(first_overdue_day__lte=today), ids=ids
        )
        cursor.execute(
            f"""
            UPDATE {table}
               SET is_overdue = TRUE, overdue_since = deadline_last_day + 1, {touched}
             WHERE {where}
            RETURNING id, deadline_last_day
            """,
            params,
        )
        became_overdue = [(row[0], row[1]) for row in cursor.fetchall()]
        where, params = _commitments_where_sql(OVERDUE_STALE, ids=ids)
        cursor.execute(
            f"""
            UPDATE {table}
               SET is_overdue = {stays_overdue},
                   overdue_since = CASE WHEN {stays_overdue} THEN deadline_last_day + 1 END,
                   {touched}
             WHERE {where}
            RETURNING id, is_overdue, deadline_last_day
            """,
            [*stays_params, *stays_params, *params],
        )
        stale = cursor.fetchall()
        where, params = _commitments_where_sql(
            OVERDUE_WITH_DEADLINE & Q(first_overdue_day__gt=today), ids=ids
        )
        cursor.execute(
            f"""
            UPDATE {table}
               SET is_overdue = FALSE, overdue_since = NULL, {touched}
             WHERE {where}
            RETURNING id
            """,
            params,
        )
        moved_later = [row[0] for row in cursor.fetchall()]
    # A flagged commitment whose deadline moved to another past day is overdue anew, for
    # its new last day: it is reported as such (the tracker records an alert for that day).
    became_overdue += [(row[0], row[2]) for row in stale if row[1]]
    cleared = [row[0] for row in stale if not row[1]] + moved_later
    return OverdueFlagChanges(became_overdue=became_overdue, cleared=cleared)


# --- the stale-evidence flag (called by the tracker's deadline scan) -------------------------


@dataclass(frozen=True)
class StaleFlagChanges:
    # (commitment id, the day of its newest evidence, or its creation day without any)
    became_stale: list[tuple[int, date]]
    cleared: list[int]


def stale_evidence_cutoff(today: date) -> date:
    """Evidence older than this day is stale (TRACKER_EVIDENCE_STALE_DAYS before today)."""
    return today - timedelta(days=settings.TRACKER_EVIDENCE_STALE_DAYS)


def _stale_conditions(today: date) -> tuple[Q, Q]:
    """(flag these, which hold stale) for `today`: each arm of the first filters with the
    condition a partial index is declared with (commitments/models.py).

    A deadline counts once TRACKER_EVIDENCE_GRACE_DAYS have passed after it: the day after a
    deadline no evidence can be newer yet, and that news is the overdue flag's."""
    old = Q(last_evidence_on__lt=stale_evidence_cutoff(today))
    deadline_long_past = Q(
        deadline_last_day__lt=today - timedelta(days=settings.TRACKER_EVIDENCE_GRACE_DAYS)
    )
    unchecked = deadline_long_past & (
        Q(last_evidence_on__isnull=True) | Q(last_evidence_on__lte=F("deadline_last_day"))
    )
    flag = (MAY_BECOME_STALE & old) | (UNCHECKED_SINCE_DEADLINE & deadline_long_past)
    holds = Q(status__in=OPEN_STATUSES) & (old | unchecked)
    return flag, holds


def commitments_refresh_stale_flags(
    *, today: date, commitment_ids: Iterable[int] | None = None, version_bump: bool = True
) -> StaleFlagChanges:
    """Set and clear the stale-evidence flag in one set-based UPDATE; return what changed.

    Stale: the status is not final, and the newest evidence is older than the configured age
    (TRACKER_EVIDENCE_STALE_DAYS), or the deadline passed (TRACKER_EVIDENCE_GRACE_DAYS ago)
    with no evidence since (none at all included). Rows that already hold the right value are
    not touched; a changed row's version and updated_at move, as the overdue flag's do
    (`version_bump=False`: for a service's write, which moves the version itself).
    """
    ids = None if commitment_ids is None else list(commitment_ids)
    if ids == []:
        return StaleFlagChanges(became_stale=[], cleared=[])
    flag, holds = _stale_conditions(today)
    flag_sql, flag_params = _commitments_where_sql(flag, ids=ids)
    holds_sql, holds_params = _commitments_where_sql(holds)
    clear_sql, clear_params = _commitments_where_sql(Q(evidence_stale=True), ids=ids)
    touched = ", version = version + 1, updated_at = now()" if version_bump else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {Commitment._meta.db_table}
               SET evidence_stale = coalesce({holds_sql}, FALSE){touched}
             WHERE ({flag_sql})
                OR (({clear_sql}) AND NOT coalesce({holds_sql}, FALSE))
            RETURNING id, evidence_stale, coalesce(last_evidence_on, created_at::date)
            """,
            [*holds_params, *flag_params, *clear_params, *holds_params],
        )
        rows = cursor.fetchall()
    return StaleFlagChanges(
        became_stale=sorted((row[0], row[2]) for row in rows if row[1]),
        cleared=sorted(row[0] for row in rows if not row[1]),
    )
