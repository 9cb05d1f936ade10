"""Actors mentioned in a sentence, matched by name, short name, surname and known aliases, in
every language the tracker keeps them in; in Russian in any grammatical case; and by two
kinds of near miss, which staff are shown as such: a spelling variant of a surname
("Chakiyev", "Чакыеву" for Mammetkhan Chakyev) and an acronym of a name ("UNCTO", "ОБСЕ").
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz

from commitments.choices import ActorKind, PartyRole
from commitments.models import Actor
from common.translations import LANGUAGE_CODES, localized
from intake import russian
from intake.models import ActorAlias

# A short all-capitals name ("UN", "OTS", "OSCE") matches in capitals only: "un" is no actor.
_ACRONYM = re.compile(r"^[A-ZА-ЯЁ]{2,6}$")
_SURNAME = re.compile(r"^[^\W\d_]{4,}$")
_CAPITALISED = re.compile(r"(?<![\w-])[A-ZА-ЯЁ][a-zа-яё]{3,}(?:-[A-ZА-ЯЁa-zа-яё]+)?(?![\w-])")
_CAPITALS = re.compile(r"(?<![\w-])[A-ZА-ЯЁ]{3,6}(?![\w-])")
# Words an acronym leaves out.
_SMALL_WORDS = {
    "of", "the", "for", "and", "in", "on", "at", "to", "по", "и", "в", "на", "для", "при", "с",
}  # fmt: skip
# A surname this close to a known one (rapidfuzz's ratio, 0-100) is proposed as a variant.
SPELLING_SIMILARITY = 85
_PRONOUN = re.compile(r"\b(?:he|she|он|она)\b", re.IGNORECASE)
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


@dataclass(frozen=True)
class ActorMention:
    actor: Actor
    words: str  # as the sentence names it
    role: str  # a first guess for the party's role
    # Not one of the actor's names but near one (a spelling or an acronym): staff may add
    # `words` as an alias.
    is_variant: bool = False


def _names(actor: Actor, aliases: list[str]) -> set[str]:
    names = set(aliases)
    for field in ("name", "short_name"):
        names |= {getattr(actor, localized(field, code)) or "" for code in LANGUAGE_CODES}
    return {name.strip() for name in names if len(name.strip()) >= 2}


def _acronym(name: str) -> str:
    """The initials of a name's words, hyphenated parts each ("Counter-Terrorism": CT)."""
    parts = re.findall(r"[^\W\d_]+", name)
    return "".join(part[0].upper() for part in parts if part.lower() not in _SMALL_WORDS)


class ActorIndex:
    """Every name each actor goes by, compiled once per extraction."""

    def __init__(self, actors: list[Actor], aliases: dict[int, list[str]]):
        entries: list[tuple[str, Actor]] = []
        self._surnames: list[tuple[str, Actor]] = []  # lower case, Latin and Cyrillic
        self._acronyms: dict[str, list[Actor]] = defaultdict(list)  # letters sorted
        self._lemmas: dict[str, list[tuple[tuple[str, ...], Actor]]] = defaultdict(list)
        for actor in actors:
            names = _names(actor, aliases.get(actor.pk, []))
            if actor.kind == ActorKind.PERSON:
                # The last word of the name in each language: not of a title ("President of
                # Turkmenistan") or an alias.
                for code in LANGUAGE_CODES:
                    words = (getattr(actor, localized("name", code)) or "").split()
                    surname = words[-1] if words else ""
                    if _SURNAME.match(surname):
                        names.add(surname)
                        self._surnames.append((surname.lower(), actor))
            for name in names:
                entries.append((name, actor))
                if _CYRILLIC.search(name):
                    key = tuple(russian.name_key(w) for w, _, _ in russian.words_with_offsets(name))
                    if key:
                        self._lemmas[key[0]].append((key, actor))
                if len(name.split()) >= 3:
                    self._acronyms["".join(sorted(_acronym(name)))].append(actor)
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

        def add(start: int, end: int, actor: Actor, *, variant: bool = False) -> None:
            taken[start:end] = b"\1" * (end - start)
            if actor.pk not in found:
                words = sentence[start:end]
                mention = ActorMention(actor, words, _role_guess(actor, sentence), variant)
                found[actor.pk] = (start, mention)

        for pattern, actor in self._patterns:
            for match in pattern.finditer(sentence):
                if not any(taken[match.start() : match.end()]):
                    add(match.start(), match.end(), actor)
        if _CYRILLIC.search(sentence):
            self._lemma_mentions(sentence, taken, add)
        for match in _CAPITALISED.finditer(sentence):
            if not any(taken[match.start() : match.end()]):
                near = self._surname_near(match.group(0))
                if near is not None:
                    add(match.start(), match.end(), near[0], variant=near[1])
        for match in _CAPITALS.finditer(sentence):
            if not any(taken[match.start() : match.end()]):
                actors = self._acronyms.get("".join(sorted(match.group(0).upper())), [])
                if len(set(actors)) == 1 and actors[0].pk not in found:
                    add(match.start(), match.end(), actors[0], variant=True)
        return [mention for _, mention in sorted(found.values(), key=lambda item: item[0])]

    def _lemma_mentions(self, sentence: str, taken: bytearray, add) -> None:
        """Cyrillic names in any case: the sentence's words and each name compared as lemmas."""
        words = russian.words_with_offsets(sentence)
        keys = [russian.name_key(word) for word, _, _ in words]
        for index in range(len(words)):
            for name, actor in sorted(self._lemmas.get(keys[index], []), key=lambda e: -len(e[0])):
                if tuple(keys[index : index + len(name)]) != name:
                    continue
                start, end = words[index][1], words[index + len(name) - 1][2]
                if not any(taken[start:end]):
                    add(start, end, actor)
                break

    def _surname_near(self, word: str) -> tuple[Actor, bool] | None:
        """The one person whose surname `word` is a case form ("Чакыевым") or a spelling
        variant of ("Chakiyev", "Худайгулыев" for Khudaygulyev), and whether it is a
        variant."""
        lowered = word.lower()
        stem = russian.stem(word)
        latin = russian.transliterate(stem)
        cyrillic = bool(_CYRILLIC.search(lowered))
        near: dict[int, tuple[Actor, bool]] = {}
        for surname, actor in self._surnames:
            if bool(_CYRILLIC.search(surname)) == cyrillic:
                if cyrillic and stem == russian.stem(surname):
                    near.setdefault(actor.pk, (actor, False))
                elif surname[0] == lowered[0] and (
                    fuzz.ratio(stem, russian.stem(surname)) >= SPELLING_SIMILARITY
                ):
                    near.setdefault(actor.pk, (actor, True))
            elif (
                cyrillic
                and surname[0] == latin[0]
                and fuzz.ratio(latin, surname) >= SPELLING_SIMILARITY
            ):
                near.setdefault(actor.pk, (actor, True))
        return next(iter(near.values())) if len(near) == 1 else None


def refers_back(sentence: str) -> bool:
    """The sentence speaks of a person named before ("he proposed", "она отметила")."""
    return bool(_PRONOUN.search(sentence))


def _role_guess(actor: Actor, sentence: str) -> str:
    if actor.kind == ActorKind.PERSON:
        approved = re.search(r"\bapproved\b|\bутвердил|\bодобрил", sentence, re.IGNORECASE)
        return PartyRole.APPROVER if approved else PartyRole.PROPOSER
    if actor.kind == ActorKind.INTERNATIONAL_ORGANISATION:
        return PartyRole.PARTNER
    return PartyRole.RESPONSIBLE


# A name the tracker does not know yet: capitalised words in a row, joined by the small words
# names have ("Ministry of Education", "Syed Amin ul Haque", "Иван Петров"), or capitals.
_NAME_WORD = r"[A-ZА-ЯЁ][\w'’.-]*[\w]"
_NAME_JOINER = r"(?:of|for|and|the|on|de|ul|al|и|по)"
_NEW_NAME = re.compile(
    rf"(?<![\w-])(?:{_NAME_WORD}(?:\s+(?:{_NAME_JOINER}\s+)*{_NAME_WORD})+|[A-ZА-ЯЁ]{{2,8}})(?![\w-])"
)
_LEADING_SMALL = re.compile(r"^(?:The|This|That|A|An|In|On|At|By|For|Under)\s+")
# Names of things and places, not of who acts: events, documents, regions, times.
_NOT_A_PARTY = re.compile(
    r"\b(?:dialogue|summit|conference|forum|seminar|workshop|exhibition|programme|program|"
    r"plan|strategy|concept|law|code|memorandum|agreement|treaty|convention|asia|europe|"
    r"january|february|march|april|may|june|july|august|september|october|november|"
    r"december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|minister|president|"
    r"chairman|ambassador|deputy|министр|президент|председател|посол|заместител|"
    r"диалог|саммит|конференци|форум|семинар|выставк|программ|план|стратеги|концепци|"
    r"закон|кодекс|меморандум|соглашени|конвенци|ази|европ)\w*",
    re.IGNORECASE,
)


def new_names(sentence: str, mentions: list[ActorMention]) -> list[str]:
    """Names in `sentence` that are none of the actors mentioned: people and bodies staff may
    add as actors. A first guess: a capitalised sentence opening is no name on its own."""
    rest = sentence
    for mention in mentions:  # a known name ends any name around it
        rest = rest.replace(mention.words, "|" * len(mention.words))
    found: list[str] = []
    for match in _NEW_NAME.finditer(rest):
        name = _LEADING_SMALL.sub("", match.group()).strip()
        name = re.sub(rf"\s+{_NAME_JOINER}$", "", name)
        is_name = " " in name or _ACRONYM.match(name)
        if is_name and not _NOT_A_PARTY.search(name) and name not in found:
            found.append(name)
    return found
