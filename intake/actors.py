"""Actors mentioned in a sentence, matched by name, short name, surname and known aliases."""

from __future__ import annotations

import re
from dataclasses import dataclass

from commitments.choices import ActorKind, PartyRole
from commitments.models import Actor
from intake.models import ActorAlias

# A short all-capitals name ("UN", "OTS", "OSCE") matches in capitals only: "un" is no actor.
_ACRONYM = re.compile(r"^[A-Z]{2,6}$")
_SURNAME = re.compile(r"^[^\W\d_]{4,}$")


@dataclass(frozen=True)
class ActorMention:
    actor: Actor
    words: str  # as the sentence names it
    role: str  # a first guess for the party's role


class ActorIndex:
    """Every name each actor goes by, compiled once per extraction."""

    def __init__(self, actors: list[Actor], aliases: dict[int, list[str]]):
        entries: list[tuple[str, Actor]] = []
        for actor in actors:
            names = {actor.name, actor.short_name, *aliases.get(actor.pk, [])}
            if actor.kind == ActorKind.PERSON:
                surname = actor.name.split()[-1] if actor.name.split() else ""
                if _SURNAME.match(surname):
                    names.add(surname)
            entries += [(name.strip(), actor) for name in names if len(name.strip()) >= 2]
        # Longest names first, so "United Nations Counter-Terrorism Office" wins over "United
        # Nations" on the same words.
        entries.sort(key=lambda entry: -len(entry[0]))
        self._patterns = [
            (
                re.compile(
                    rf"(?<!\w){re.escape(name)}(?!\w)",
                    0 if _ACRONYM.match(name) else re.IGNORECASE,
                ),
                actor,
            )
            for name, actor in entries
        ]

    @classmethod
    def load(cls) -> ActorIndex:
        aliases: dict[int, list[str]] = {}
        for actor_id, alias in ActorAlias.objects.values_list("actor_id", "alias"):
            aliases.setdefault(actor_id, []).append(alias)
        return cls(list(Actor.objects.all()), aliases)

    def mentions(self, sentence: str) -> list[ActorMention]:
        taken = bytearray(len(sentence))  # 1 where a longer name matched: overlaps in O(length)
        found: dict[int, tuple[int, ActorMention]] = {}
        for pattern, actor in self._patterns:
            for match in pattern.finditer(sentence):
                if any(taken[match.start() : match.end()]):
                    continue
                taken[match.start() : match.end()] = b"\1" * (match.end() - match.start())
                if actor.pk not in found:
                    mention = ActorMention(actor, match.group(0), _role_guess(actor, sentence))
                    found[actor.pk] = (match.start(), mention)
        return [mention for _, mention in sorted(found.values(), key=lambda item: item[0])]


def _role_guess(actor: Actor, sentence: str) -> str:
    if actor.kind == ActorKind.PERSON:
        return PartyRole.APPROVER if re.search(r"\bapproved\b", sentence) else PartyRole.PROPOSER
    if actor.kind == ActorKind.INTERNATIONAL_ORGANISATION:
        return PartyRole.PARTNER
    return PartyRole.RESPONSIBLE
