"""Bring what an earlier version of the seed dataset loaded up to date with the current file.

`make run` loads the seed on every start, so a correction of the dataset reaches every
database loaded before it, without duplicates. Staff edits always win: a field follows the
file only while no one has changed it in the admin or the API (the audit trail names a user
for each such change; the loader writes as no one). Evidence is only ever added: a citation,
party or claim of the file is added unless it is there, or was there and staff removed it.
Every write goes through the services, like any other.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Model

from commitments.claims import claim_value_parse
from commitments.models import Actor, Citation, Claim, Commitment, Party
from commitments.selectors import tracker_today
from commitments.services import (
    actor_update,
    citation_add,
    citation_annotate,
    claim_add,
    commitment_record_status_change,
    commitment_update,
    party_add,
)
from sources.models import Source
from sources.selectors import fold_whitespace
from sources.services import source_update


def fields_edited_by_staff(record: Model) -> set[str]:
    """The fields a user has changed since the record was created, from its audit trail; every
    field when a user created it."""
    edited: set[str] = set()
    previous = None
    for entry in record.history.order_by("history_date", "history_id"):
        if entry.history_user_id is not None:
            if previous is None:
                return {field.name for field in record._meta.concrete_fields}
            edited |= set(entry.diff_against(previous).changed_fields)
        previous = entry
    return edited


def _follow(record: Model, wanted: dict, update: Callable[[dict], object]) -> list[str]:
    """Give each field of `wanted` its value, unless it has it or staff have edited it."""
    edited = fields_edited_by_staff(record)
    data = {
        name: value
        for name, value in wanted.items()
        if name not in edited and getattr(record, name) != value
    }
    if data:
        update(data)
    return sorted(data)


def source_follow(source: Source, wanted: dict) -> list[str]:
    return _follow(source, wanted, lambda data: source_update(source=source, data=data))


def actor_follow(actor: Actor, wanted: dict) -> list[str]:
    return _follow(actor, wanted, lambda data: actor_update(actor=actor, data=data))


def commitment_follow(commitment: Commitment, wanted: dict) -> list[str]:
    return _follow(
        commitment, wanted, lambda data: commitment_update(commitment=commitment, data=data)
    )


def status_follow(commitment: Commitment, *, status: str, claims: list[dict], sources) -> bool:
    """Record a status change to the file's status, backed by the file's status claim, unless
    the commitment has it or staff have changed its status."""
    commitment.refresh_from_db()
    if commitment.status == status or "status" in fields_edited_by_staff(commitment):
        return False
    evidence = next((c for c in claims if c["fact"] == "status" and c["value"] == status), None)
    if evidence is None:  # a status changes only with evidence
        return False
    source = sources[evidence["source"]]
    commitment_record_status_change(
        commitment=commitment,
        status=status,
        # The source shows the status as of its date (if it has none: as of today).
        effective_on=min(source.published_on or tracker_today(), tracker_today()),
        source=source,
        quote=evidence["quote"],
        note=f"The seed dataset corrected. {evidence.get('note') or ''}".strip(),
    )
    return True


def parties_add_missing(commitment: Commitment, wanted: list[tuple[Actor, str]]) -> int:
    added = 0
    for actor, role in wanted:
        key = {"commitment_id": commitment.pk, "actor_id": actor.pk, "role": role}
        if Party.objects.filter(**key).exists() or Party.history.filter(**key).exists():
            continue  # there, or removed by staff
        party_add(commitment=commitment, actor=actor, role=role)
        added += 1
    return added


def citations_add_missing(commitment: Commitment, wanted: list[tuple[Source, str, str]]) -> int:
    """Add the file's citations that are missing; give an empty note the file's note."""
    changed = 0
    for source, quote, note in wanted:
        key = {"commitment_id": commitment.pk, "source_id": source.pk}
        folded = fold_whitespace(quote)
        citation = Citation.objects.filter(**key, quote=folded).first()
        if citation is None:
            if not Citation.history.filter(**key, quote=folded).exists():
                citation_add(commitment=commitment, source=source, quote=quote, note=note)
                changed += 1
        elif note and not citation.note and "note" not in fields_edited_by_staff(citation):
            citation_annotate(citation=citation, note=note)
            changed += 1
    return changed


def claims_add_missing(commitment: Commitment, wanted: list[dict], sources) -> int:
    added = 0
    for item in wanted:
        source = sources[item["source"]]
        value = claim_value_parse(fact=item["fact"], value=item["value"]).value
        if Claim.objects.filter(
            commitment=commitment,
            fact=item["fact"],
            value=value,
            citation__source=source,
            citation__quote=fold_whitespace(item["quote"]),
        ).exists():
            continue
        claim_add(
            commitment=commitment,
            fact=item["fact"],
            value=item["value"],
            source=source,
            quote=item["quote"],
            note=item.get("note") or "",
        )
        added += 1
    return added
