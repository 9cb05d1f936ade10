"""Deadline phrases in a sentence ("in November 2024", "for 2025-2027", "by the end of 2025"),
each parsed by the project's own parser (commitments.deadlines.deadline_parse).

"this year" and "next year" are resolved from the source's publication date, as the seed
dataset does by hand ("in November this year" in an article of 2022 is "in November 2022").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from django.core.exceptions import ValidationError

from commitments.deadlines import Deadline, deadline_parse

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)"
)
_YEAR = r"(?:19|20)\d{2}"
_YEARISH = rf"(?:{_YEAR}|this year|next year)"
_DASH = r"\s*[-\u2010-\u2015\u2212]\s*"

# Most specific first; a later pattern is not tried over a span an earlier one took.
_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"\b(?:in the period )?(?:from|between) (?:{_MONTH} )?{_YEAR} (?:to|and|until) "
        rf"(?:{_MONTH} )?{_YEAR}\b",
        rf"\b(?:(?:in|for|during|over|by) (?:the (?:period|years) )?)?{_YEAR}{_DASH}{_YEAR}\b",
        rf"\bby the end of (?:{_MONTH} )?{_YEARISH}",
        rf"\b(?:(?:in|by|during) )?(?:the )?(?:first|second|third|fourth) quarter of {_YEARISH}",
        rf"\b(?:(?:in|by) )?Q[1-4] {_YEAR}\b",
        rf"\b(?:(?:in|by|on|until|before) )?(?:\d{{1,2}} )?{_MONTH}(?: \d{{1,2}},?)? {_YEARISH}",
        rf"\b(?:in|by|until|from) {_YEAR}\b(?!{_DASH}\d)",
    )
]


# The deadline parser is slow (a grammar per value): a sentence's phrases are parsed at most
# this many times, and the same words once per process.
MAX_PARSES_PER_SENTENCE = 12


@lru_cache(maxsize=4096)
def _parsed(words: str) -> Deadline | None:
    try:
        return deadline_parse(words)
    except ValidationError:
        return None


@dataclass(frozen=True)
class DeadlinePhrase:
    words: str  # as the sentence says it
    deadline: Deadline  # parsed, "this year" resolved


def _resolved(words: str, published: date | None) -> str | None:
    lowered = words.lower()
    if "this year" in lowered or "next year" in lowered:
        if published is None:
            return None
        words = re.sub(r"this year", str(published.year), words, flags=re.IGNORECASE)
        words = re.sub(r"next year", str(published.year + 1), words, flags=re.IGNORECASE)
    return words


def deadline_phrases_find(sentence: str, *, published: date | None = None) -> list[DeadlinePhrase]:
    """Every deadline phrase of the sentence that the deadline parser accepts, in order."""
    taken = bytearray(len(sentence))  # 1 where an accepted phrase stands: overlaps in O(length)
    found: list[tuple[int, DeadlinePhrase]] = []
    parses = 0
    for pattern in _PATTERNS:
        for match in pattern.finditer(sentence):
            if any(taken[match.start() : match.end()]):
                continue
            words = _resolved(match.group(0).strip(), published)
            if not words:
                continue
            if parses == MAX_PARSES_PER_SENTENCE:
                break
            parses += 1
            deadline = _parsed(words)
            if deadline is None:
                continue
            taken[match.start() : match.end()] = b"\1" * (match.end() - match.start())
            found.append((match.start(), DeadlinePhrase(match.group(0).strip(), deadline)))
    return [phrase for _, phrase in sorted(found, key=lambda item: item[0])]
