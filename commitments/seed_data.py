"""The seed dataset: the five source articles and what they propose and promise.

`commitments/seed/dataset.yaml` describes the records; `commitments/seed/articles/` holds the
articles, stored byte for byte as Source texts. Loading is idempotent: a source already
loaded (same text hash), an actor (same slug) or a commitment (same reference), now or before
a staff edit, is not loaded again, so a second run changes nothing. A record an earlier
version of the file loaded is brought up to date where staff have not edited it
(`commitments/seed_upgrade.py`): staff edits are never overwritten.

`commitments/seed/translations/<language>.yaml` holds the project's translations of the
titles, names and descriptions, one file a language of LANGUAGES; a record gets a language's
text where it has none yet in that language (a staff member's translation stays), marked as
translated by the tracker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml
from django.db import transaction

from commitments import seed_upgrade
from commitments.models import Actor, Commitment
from commitments.selectors import party_of
from commitments.services import (
    CitationSpec,
    ClaimSpec,
    PartySpec,
    actor_create,
    actor_update,
    commitment_create,
    commitment_record_status_change,
    commitment_set_status_source,
    commitment_update,
    party_record_status_change,
)
from common.translations import TRANSLATION_LANGUAGES, Origin, localized, translated_fields
from sources.dates import partial_date_parse
from sources.models import Source
from sources.services import source_create, source_update, text_sha256

SEED_DIR = Path(__file__).resolve().parent / "seed"


@dataclass
class SeedLoadResult:
    created: dict[str, int] = field(
        default_factory=lambda: {"sources": 0, "actors": 0, "commitments": 0}
    )
    existing: dict[str, int] = field(
        default_factory=lambda: {"sources": 0, "actors": 0, "commitments": 0}
    )
    # What was brought up to date in records an earlier version of the file loaded.
    upgraded: list[str] = field(default_factory=list)

    def fields_followed(self, what: str, names: list[str]) -> None:
        if names:
            self.upgraded.append(f"{what}: {', '.join(names)}")

    def records_added(self, what: str, count: int) -> None:
        if count:
            self.upgraded.append(f"{what}: {count}")


def _loaded(model, **key):
    """The record loaded under this key, even if staff have edited the key since.

    `make run` loads the seed on every start: a source whose text was corrected, or a
    commitment whose reference was changed, is still the loaded one and must not come back
    as a duplicate. The audit trail remembers every key a record has had.
    """
    current = model.objects.filter(**key).order_by("pk").first()
    if current is not None:
        return current
    ids = model.history.filter(**key).values_list("id", flat=True)
    return model.objects.filter(pk__in=ids).order_by("pk").first()


def _date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return partial_date_parse(str(value))


def _load_sources(
    spec: list[dict], translations: dict, result: SeedLoadResult
) -> dict[str, Source]:
    sources = {}
    for item in spec:
        # Bytes decoded as UTF-8 exactly; no newline translation, so the hash is the file's.
        text = (SEED_DIR / "articles" / item["file"]).read_bytes().decode("utf-8")
        wanted = {
            "title": item["title"],
            "publisher": item.get("publisher") or "",
            "author": item.get("author") or "",
            "url": item.get("url") or None,
            "published": item.get("published") or "",
            "kind": item["kind"],
            "language": item.get("language") or "en",
        }
        existing = _loaded(Source, text_sha256=text_sha256(text))
        if existing is not None:
            sources[item["key"]] = existing
            result.existing["sources"] += 1
            result.fields_followed(
                f"source {item['file']}", seed_upgrade.source_follow(existing, wanted)
            )
            continue
        sources[item["key"]] = source_create(
            **wanted, text=text, translations=translations.get(item["key"])
        )
        result.created["sources"] += 1
    return sources


def _load_actors(spec: list[dict], translations: dict, result: SeedLoadResult) -> dict[str, Actor]:
    actors: dict[str, Actor] = {}
    for item in spec:  # parents come before their children in the file
        wanted = {
            "name": item["name"],
            "short_name": item.get("short_name") or "",
            "kind": item["kind"],
            "country": item.get("country") or "",
            "parent": actors[item["parent"]] if item.get("parent") else None,
        }
        existing = _loaded(Actor, slug=item["key"])
        if existing is not None:
            actors[item["key"]] = existing
            result.existing["actors"] += 1
            result.fields_followed(
                f"actor {item['key']}", seed_upgrade.actor_follow(existing, wanted)
            )
            continue
        actors[item["key"]] = actor_create(
            slug=item["key"], **wanted, translations=translations.get(item["key"])
        )
        result.created["actors"] += 1
    return actors


def _load_commitments(
    spec: list[dict],
    sources: dict[str, Source],
    actors: dict[str, Actor],
    translations: dict,
    result: SeedLoadResult,
) -> dict[str, Commitment]:
    commitments: dict[str, Commitment] = {}
    for item in spec:  # parents come before their milestones in the file
        wanted = {
            "title": item["title"],
            "description": item.get("description") or "",
            "kind": item["kind"],
            "recurring": bool(item.get("recurring")),
            "parent": commitments[item["parent"]] if item.get("parent") else None,
            "tags": sorted({tag.lower() for tag in item.get("tags") or []}),
            "announced_on": _date(item.get("announced_on")),
        }
        parties = [(actors[p["actor"]], p["role"]) for p in item.get("parties", [])]
        citations = [
            (sources[c["source"]], c["quote"], c.get("note") or "")
            for c in item.get("citations", [])
        ]
        claims = item.get("claims") or []
        existing = _loaded(Commitment, reference=item["reference"])
        if existing is not None:
            commitments[item["reference"]] = existing
            result.existing["commitments"] += 1
            _upgrade_commitment(existing, item, wanted, parties, citations, sources, actors, result)
            continue
        commitment = commitment_create(
            reference=item["reference"],
            **wanted,
            status=item["status"],
            deadline=item.get("deadline"),
            is_published=True,  # the articles are public
            translations=translations.get(item["reference"]),
            parties=[PartySpec(actor, role) for actor, role in parties],
            citations=[CitationSpec(*citation) for citation in citations],
            claims=[
                ClaimSpec(
                    c["fact"],
                    str(c["value"]),
                    sources[c["source"]],
                    c["quote"],
                    c.get("note") or "",
                )
                for c in claims
            ],
        )
        for change in item.get("status_changes") or []:
            commitment_record_status_change(
                commitment=commitment,
                status=change["status"],
                effective_on=_date(change["effective_on"]),
                note=change.get("note") or "",
                source=sources[change["source"]],
                quote=change["quote"],
                reason=change.get("reason") or "",
            )
        _party_statuses_load(commitment, item, actors, sources)
        commitments[item["reference"]] = commitment
        result.created["commitments"] += 1
    return commitments


def _party_statuses_load(commitment, item, actors, sources, *, follow: bool = True) -> int:
    """The parties' own statuses the file records, each with its quote, for the parties that
    have none yet (a staff member's stays); then the status follows the parties where the
    file says so. Returns how many were recorded."""
    recorded = 0
    for change in item.get("party_statuses") or []:
        party = party_of(commitment=commitment, actor=actors[change["actor"]])
        if party.status:
            continue
        party_record_status_change(
            party=party,
            status=change["status"],
            effective_on=_date(change["effective_on"]),
            note=change.get("note") or "",
            reason=change.get("reason") or "",
            source=sources[change["source"]],
            quote=change["quote"],
        )
        recorded += 1
    commitment.refresh_from_db()
    wanted = item.get("status_source")
    # Only for a record loaded now: on one loaded before, the status staff may have recorded
    # since wins.
    if follow and recorded and wanted and commitment.status_source != wanted:
        commitment_set_status_source(commitment=commitment, status_source=wanted)
    return recorded


def _upgrade_commitment(
    commitment, item, wanted, parties, citations, sources, actors, result
) -> None:
    """What an earlier version of the file loaded, brought up to date (seed_upgrade)."""
    name = f"commitment {item['reference']}"
    claims = item.get("claims") or []
    result.fields_followed(name, seed_upgrade.commitment_follow(commitment, wanted))
    result.records_added(
        f"{name}: parties added", seed_upgrade.parties_add_missing(commitment, parties)
    )
    result.records_added(
        f"{name}: citations added or annotated",
        seed_upgrade.citations_add_missing(commitment, citations),
    )
    result.records_added(
        f"{name}: claims added", seed_upgrade.claims_add_missing(commitment, claims, sources)
    )
    if seed_upgrade.status_follow(
        commitment, status=item["status"], claims=claims, sources=sources
    ):
        result.fields_followed(name, [f"status {item['status']} (a status change)"])
    result.records_added(
        f"{name}: parties' statuses recorded",
        _party_statuses_load(commitment, item, actors, sources, follow=False),
    )


@transaction.atomic
def seed_data_load(*, directory: Path = SEED_DIR) -> SeedLoadResult:
    """Load the seed dataset, all or nothing."""
    spec = yaml.safe_load((directory / "dataset.yaml").read_text(encoding="utf-8"))
    translations = _seed_translations(directory, spec)
    result = SeedLoadResult()
    sources = _load_sources(spec["sources"], translations["sources"], result)
    actors = _load_actors(spec["actors"], translations["actors"], result)
    commitments = _load_commitments(
        spec["commitments"], sources, actors, translations["commitments"], result
    )
    # A record loaded before a language's file existed gets its texts now.
    for part, records in (("sources", sources), ("actors", actors), ("commitments", commitments)):
        _translations_add_missing(part, records, translations[part], result)
    return result


def _seed_translations(directory: Path, spec: dict) -> dict[str, dict[str, dict]]:
    """The translations' files as `translations` for the services, by part and record key:
    {"commitments": {"TM-2024-04": {"ru": {"title": …, "origin": "project"}, …}}, …}. The
    files name actors by their English name, as readers know them."""
    key_of_actor = {item["name"]: item["key"] for item in spec["actors"]}
    found: dict[str, dict[str, dict]] = {"sources": {}, "actors": {}, "commitments": {}}
    for language in TRANSLATION_LANGUAGES:
        path = directory / "translations" / f"{language}.yaml"
        if not path.exists():
            continue
        texts = yaml.safe_load(path.read_text(encoding="utf-8"))
        for part, by_key in found.items():
            for key, fields in (texts.get(part) or {}).items():
                record_key = key_of_actor[key] if part == "actors" else key
                by_key.setdefault(record_key, {})[language] = {
                    **fields,
                    "origin": Origin.PROJECT,
                }
    return found


def _translations_add_missing(part: str, records: dict, translations: dict, result) -> None:
    """The seed's texts in each language for the fields a record has none in yet (a staff
    member's translation stays)."""
    write = {
        "sources": lambda r, t: source_update(source=r, data={}, translations=t),
        "actors": lambda r, t: actor_update(actor=r, data={}, translations=t),
        "commitments": lambda r, t: commitment_update(commitment=r, data={}, translations=t),
    }[part]
    added = 0
    for key, record in records.items():
        missing = {}
        for language, fields in translations.get(key, {}).items():
            empty = {
                name: text
                for name, text in fields.items()
                if name in translated_fields(type(record))
                and text
                and not getattr(record, localized(name, language))
            }
            if empty:
                missing[language] = {**empty, "origin": fields["origin"]}
        if missing:
            write(record, missing)
            added += 1
    result.records_added(f"{part}: translations added", added)
