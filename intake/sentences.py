"""Sentences of a source's text, each with its place in the text, so a quote is verbatim.

A rule-based splitter: a sentence ends at '.', '!' or '?' (and any closing quote mark) before
whitespace and a capital, a digit or an opening quote, or at a blank line or a line break
that ends a line without a full stop (headlines, datelines), but for a paragraph's line
wrapped inside a sentence. An initial ("R. Meredov") or a
common abbreviation ("Mr.", "e.g.", "гг.") does not end a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Lower case, without the dot.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "no", "nos", "vs", "etc", "e.g", "i.e", "gen",
    "col", "lt", "sr", "jr", "inc", "ltd", "co", "corp", "dept", "govt", "approx", "art",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    # Russian: "гг." (years), "им." (named after), "ул.", "тыс.", "млн", "млрд", "др.", "пр.".
    "гг", "им", "ул", "тыс", "млн", "млрд", "др", "пр", "см", "руб", "проф", "акад",
}  # fmt: skip
# Closing and opening quote marks: " ' \u201d \u2019 \u00bb and " ' \u201c \u2018 \u00ab.
# Linear on any text: a run of stops is matched from its first stop only (the look-behind), and
# possessive quantifiers give nothing back.
_END = re.compile(
    "(?<![.!?])[.!?]++[\"'\u201d\u2019\u00bb)]*+"
    "(?=\\s++[\"'\u201c\u2018\u00ab(]?[A-Z0-9\u0400-\u04ff])"
)
_LINE_BREAK = re.compile(r"\n\s*")
# A line broken inside a sentence (a wrapped paragraph): a lower-case letter, a comma or a
# hyphen before one line break, a lower-case letter or a digit after it ("до конца\n2026").
_WRAPPED = re.compile(r"[a-zа-яё,;-][ \t]*\n[ \t]*[a-zа-яё0-9]")
# A dateline that opens a paragraph, ended by a dash or a colon ("ASHGABAT, 12 June 2025 –",
# "NEW YORK / ASHGABAT, 9 October 2025 –"): a sentence of its own, not the news's first words.
# Words in capitals only, so that "In Ashgabat, 12 experts – …" is left whole.
_DATELINE = re.compile(
    r"(?:^|(?<=\n))[ \t]*+[A-ZА-ЯЁ][A-ZА-ЯЁ.'’-]++(?:[ \t]*+/?[ \t]*+[A-ZА-ЯЁ][A-ZА-ЯЁ.'’-]++)*+,"
    r"[ \t]++(?:\d{1,2}[ \t]++\w++|\w++[ \t]++\d{1,2})(?:,?[ \t]++\d{4})?[ \t]*+[\u2013\u2014:-]"
)
_WORD_BEFORE = re.compile(r"([\w.]+)$")
# The word before a stop is looked for in this many characters before it, not from the start
# of the text: a search from the start made the split quadratic in the text's length.
_WORD_WINDOW = 40


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # offsets in the source's text
    end: int


def _is_abbreviation(text: str, dot: int) -> bool:
    word = _WORD_BEFORE.search(text, max(0, dot - _WORD_WINDOW), dot)
    if word is None:
        return False
    token = word.group(1).rstrip(".").lower()
    # One letter: an initial, or a part of "U.S." / "e.g.".
    return len(token) == 1 or token in _ABBREVIATIONS or "." in token


def _boundaries(text: str) -> list[int]:
    ends = set()
    for match in _END.finditer(text):
        if text[match.start()] == "." and _is_abbreviation(text, match.start()):
            continue
        ends.add(match.end())
    for match in _LINE_BREAK.finditer(text):
        if not _WRAPPED.search(text, max(0, match.start() - 1), match.end() + 1):
            ends.add(match.start())
    for match in _DATELINE.finditer(text):
        ends.add(match.end())
    return sorted(ends)


def sentences_split(text: str) -> list[Sentence]:
    """The sentences of `text`, in order, trimmed, with their offsets."""
    result = []
    start = 0
    for end in [*_boundaries(text), len(text)]:
        piece = text[start:end]
        stripped = piece.strip()
        if stripped:
            offset = start + (len(piece) - len(piece.lstrip()))
            result.append(Sentence(stripped, offset, offset + len(stripped)))
        start = end
    return result


def is_headline(text: str) -> bool:
    """A line of its own with no full stop: a headline or a dateline."""
    return not text.rstrip("\"'\u201d\u00bb").endswith((".", "!", "?", "…"))
