"""pg_trgm's `similarity()` and `word_similarity()` in Python, so that the intake needs no
PostgreSQL extension (the embedded server of `make run` / `make test` ships none).

A port of contrib/pg_trgm/trgm_op.c (generate_trgm, cnt_sml, calc_word_similarity and
iterate_word_similarity), PostgreSQL 15-18:

- words are runs of alphanumeric characters, each lower-cased and padded with two spaces in
  front and one behind; a word of n characters gives n + 1 trigrams;
- similarity = shared trigrams / trigrams of either string (sets: repeats count once);
- word_similarity(a, b) = the greatest similarity between the trigram set of `a` and a
  continuous extent of the ordered trigrams of `b`, searched as pg_trgm searches it (a
  greedy scan, which is what the function returns, not an exhaustive maximum; this port
  skips only the starts that cannot change its result, see the comments);
- the ratios are float4, as PostgreSQL computes and returns them (0.35 as a float4 is just
  below 0.35, so thresholds compare as they did in SQL).

Where it may differ: pg_trgm classifies and lower-cases characters with the database's
LC_CTYPE while this uses Unicode (str.isalnum, str.lower), and it hashes a trigram holding a
multibyte character into 3 bytes, so two such trigrams may collide there and not here. For
ASCII and ordinary accented letters under a UTF-8 locale the results are the same.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterable, Sequence

_WORD = re.compile(r"[^\W_]+")  # alphanumeric runs: \w without the underscore
_FLOAT4 = struct.Struct("f")


def _float4(value: float) -> float:
    # The double quotient rounded to float4 equals the float4 quotient of pg_trgm's CALCSML
    # (a double carries more than twice a float4's precision, so double rounding is exact).
    return _FLOAT4.unpack(_FLOAT4.pack(value))[0]


def _ratio(count: int, len1: int, len2: int) -> float:
    """pg_trgm's CALCSML: shared trigrams over the union, as a float4."""
    return _float4(count / (len1 + len2 - count))


def trigrams(text: str) -> list[str]:
    """The trigrams of `text` in the order they occur, repeats kept (generate_trgm_only)."""
    result: list[str] = []
    for word in _WORD.findall(text):
        padded = f"  {word.lower()} "
        result.extend(padded[i : i + 3] for i in range(len(padded) - 2))
    return result


def trigram_set(text: str) -> frozenset[str]:
    """What pg_trgm's show_trgm() lists (unordered): the distinct trigrams of `text`."""
    return frozenset(trigrams(text))


def set_similarity(first: frozenset[str] | set[str], second: frozenset[str] | set[str]) -> float:
    """similarity() of two strings given their trigram sets (cnt_sml)."""
    if not first or not second:
        return 0.0
    return _ratio(len(first & second), len(first), len(second))


def sequence_word_similarity(needle: Iterable[str], haystack: Sequence[str]) -> float:
    """word_similarity() given the trigrams of the first string and the ordered trigrams of
    the second (iterate_word_similarity without the strict and check-only flags)."""
    needle = needle if isinstance(needle, (set, frozenset)) else frozenset(needle)
    ulen1 = len(needle)
    found = [trigram in needle for trigram in haystack]
    ids: dict[str, int] = {}
    index = [ids.setdefault(trigram, len(ids)) for trigram in haystack]
    lastpos = [-1] * len(ids)  # last position of each distinct trigram within the extent
    ulen2 = count = 0
    lower = -1
    best = 0.0
    for i, trigram_id in enumerate(index):
        if lower >= 0 or found[i]:
            if lastpos[trigram_id] < 0:
                ulen2 += 1
                count += found[i]
            lastpos[trigram_id] = i
        if not found[i]:
            continue
        # A trigram of the needle: the extent may end here; try moving its start forward.
        upper = i
        if lower == -1:
            lower = i
            ulen2 = 1
        current = _ratio(count, ulen1, ulen2)
        numerator, denominator = count, ulen1 + ulen2 - count  # current, as a fraction
        tmp_count, tmp_ulen2, prev_lower = count, ulen2, lower
        changed = True
        for tmp_lower in range(lower, upper + 1):
            # pg_trgm computes the ratio at every start. It changes only where a trigram
            # leaves the extent, and an unchanged ratio cannot be strictly greater again.
            # Rounding to float4 keeps order, so a fraction that is not greater is not
            # greater as a float4 either: compare fractions, round only the winners.
            if changed:
                if tmp_count * denominator <= numerator * ulen1:
                    break  # no later start beats `current`: each scores at most tmp_count / ulen1
                tmp_denominator = ulen1 + tmp_ulen2 - tmp_count
                if tmp_count * denominator > numerator * tmp_denominator:
                    candidate = _float4(tmp_count / tmp_denominator)
                    if candidate > current:
                        current, numerator, denominator = candidate, tmp_count, tmp_denominator
                        ulen2, lower, count = tmp_ulen2, tmp_lower, tmp_count
                changed = False
            if lastpos[index[tmp_lower]] == tmp_lower:
                tmp_ulen2 -= 1
                tmp_count -= found[tmp_lower]
                changed = True
        best = max(best, current)
        for tmp_lower in range(prev_lower, lower):
            if lastpos[index[tmp_lower]] == tmp_lower:
                lastpos[index[tmp_lower]] = -1
    return best


def similarity(first: str, second: str) -> float:
    """pg_trgm's similarity(first, second)."""
    return set_similarity(trigram_set(first), trigram_set(second))


def word_similarity(first: str, second: str) -> float:
    """pg_trgm's word_similarity(first, second): how well `first` matches some continuous
    part of `second` (word_similarity('word', 'two words') = 0.8)."""
    return sequence_word_similarity(trigram_set(first), trigrams(second))
