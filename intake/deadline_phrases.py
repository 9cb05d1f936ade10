"""Deadline phrases in a sentence ("in November 2024", "for 2025-2027", "by the end of 2025"),
each parsed by the project's own parser (commitments.deadlines.deadline_parse).

"this year" and "next year" are resolved from the source's publication date, as the seed
dataset does by hand ("in November this year" in an article of 2022 is "in November 2022").

A Russian phrase ("до конца 2025 года", "в 2025–2027 годах", "во втором полугодии", "к 2030
году", a month in any case) is put in the English words the parser reads; the phrase keeps
the source's own words. A date on or before the article's own day (the meeting it reports) is
no deadline, nor is a month that has begun by then.
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


_RU_MONTHS = {
    "январ": "January", "феврал": "February", "март": "March", "апрел": "April", "ма": "May",
    "июн": "June", "июл": "July", "август": "August", "сентябр": "September",
    "октябр": "October", "ноябр": "November", "декабр": "December",
}  # fmt: skip
_RU_MONTH = (
    r"(?:январ[ьяе]|феврал[ьяе]|марта?|марте|апрел[ьяе]|ма[йяе]|июн[ьяе]|июл[ьяе]|августа?|"
    r"августе|сентябр[ьяе]|октябр[ьяе]|ноябр[ьяе]|декабр[ьяе])"
)
_RU_YEAR_WORD = r"(?:\s*(?:год[а-я]*|гг?\.))?"
_RU_ORDINAL = {
    "перв": "first", "втор": "second", "трет": "third", "четв": "fourth",
}  # fmt: skip
_RU_YEARISH = (
    rf"(?:{_YEAR}{_RU_YEAR_WORD}|(?:в )?(?:этом|текущем|следующем|будущем) году"
    r"|(?:этого|текущего|следующего|будущего) года)"
)


def _ru_month(word: str) -> str:
    lowered = word.lower()
    return next(english for stem, english in _RU_MONTHS.items() if lowered.startswith(stem))


def _ru_year(text: str) -> str:
    lowered = text.lower()
    if re.search(r"эт(?:ом|ого)|текущ", lowered):
        return "this year"
    if re.search(r"следующ|будущ", lowered):
        return "next year"
    return re.search(_YEAR, text).group(0) if text else "this year"


def _ru_ordinal(word: str) -> str:
    return next(english for stem, english in _RU_ORDINAL.items() if word.lower().startswith(stem))


# (pattern, English words from the match), most specific first.
_RU_PATTERNS: list[tuple[re.Pattern, object]] = [
    (
        re.compile(rf"\bс ({_YEAR}) (?:года )?по ({_YEAR}){_RU_YEAR_WORD}", re.IGNORECASE),
        lambda m: f"from {m.group(1)} to {m.group(2)}",
    ),
    (
        re.compile(
            rf"\b(?:(?:в|на|за) (?:период )?)?({_YEAR}){_DASH}({_YEAR}){_RU_YEAR_WORD}",
            re.IGNORECASE,
        ),
        lambda m: f"{m.group(1)}-{m.group(2)}",
    ),
    (
        re.compile(rf"\b(?:до конца|к концу) (?:({_RU_MONTH}) )?({_RU_YEARISH})", re.IGNORECASE),
        lambda m: (
            "by the end of "
            + (f"{_ru_month(m.group(1))} " if m.group(1) else "")
            + _ru_year(m.group(2))
        ),
    ),
    (
        re.compile(
            rf"\b(?:в|во|к|до) (перв|втор|трет|четв[её]рт)\w* квартал\w* ({_RU_YEARISH})",
            re.IGNORECASE,
        ),
        lambda m: f"{_ru_ordinal(m.group(1))} quarter of {_ru_year(m.group(2))}",
    ),
    (
        # Without a year: of the article's year, as "this year" is.
        re.compile(
            rf"\b(?:в|во|к|до) (перв|втор)\w* полугоди\w*(?: ({_RU_YEARISH}))?", re.IGNORECASE
        ),
        lambda m: _ru_year(m.group(2) or "") + ("-40" if m.group(1).lower() == "перв" else "-41"),
    ),
    (
        re.compile(
            rf"\b(?:(в|к|до|с) )?(?:(\d{{1,2}}) )?({_RU_MONTH}) ({_RU_YEARISH})", re.IGNORECASE
        ),
        lambda m: (
            ("by " if (m.group(1) or "").lower() in {"к", "до"} else "")
            + (f"{m.group(2)} " if m.group(2) else "")
            + f"{_ru_month(m.group(3))} {_ru_year(m.group(4))}"
        ),
    ),
    (
        re.compile(rf"\b(к|до|в) ({_YEAR}) год[ау]\b", re.IGNORECASE),
        lambda m: ("in " if m.group(1).lower() == "в" else "by ") + m.group(2),
    ),
    (
        re.compile(r"\b(?:в )?(?:этом|текущем|следующем|будущем) году\b", re.IGNORECASE),
        lambda m: _ru_year(m.group(0)),
    ),
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


def _patterns(language: str) -> list[tuple[re.Pattern, object]]:
    if language == "ru":
        return _RU_PATTERNS
    return [(pattern, lambda match: match.group(0).strip()) for pattern in _PATTERNS]


def _is_own_date(deadline: Deadline, published: date | None) -> bool:
    """A day or a month that has begun by the article's own day: when the meeting it reports
    was held, not what is due. A period of years ("for 2021-2025") stays, ended or not: it
    names the programme."""
    if published is None:
        return False
    return deadline.first_day <= published and (deadline.last_day - deadline.first_day).days < 31


_SPACES = re.compile(r"\s+")


def _phrases(sentence: str, published: date | None, language: str) -> list[DeadlinePhrase]:
    """Every date phrase of the sentence that the deadline parser accepts, in order. Any run
    of whitespace (a no-break space, a line break) reads as one space."""
    sentence = _SPACES.sub(" ", sentence)
    taken = bytearray(len(sentence))  # 1 where an accepted phrase stands: overlaps in O(length)
    found: list[tuple[int, DeadlinePhrase]] = []
    parses = 0
    for pattern, english in _patterns(language):
        for match in pattern.finditer(sentence):
            if any(taken[match.start() : match.end()]):
                continue
            words = _resolved(english(match), published)
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


def deadline_phrases_find(
    sentence: str, *, published: date | None = None, language: str = "en"
) -> list[DeadlinePhrase]:
    """Every deadline phrase of the sentence that the deadline parser accepts, in order,
    without the article's own date."""
    return [
        phrase
        for phrase in _phrases(sentence, published, language)
        if not _is_own_date(phrase.deadline, published)
    ]


# A day, a month or a year that ended this long before the article: the background it gives
# ("the plan was adopted in Ashgabat on 30 November 2011"), not its news.
BACKGROUND_DAYS = 90


def dates_long_past(
    sentence: str, *, published: date | None = None, language: str = "en"
) -> list[DeadlinePhrase]:
    """The sentence's dates of a year or less that ended BACKGROUND_DAYS before `published`."""
    if published is None:
        return []
    return [
        phrase
        for phrase in _phrases(sentence, published, language)
        if (phrase.deadline.last_day - phrase.deadline.first_day).days < 366
        and (published - phrase.deadline.last_day).days > BACKGROUND_DAYS
    ]
