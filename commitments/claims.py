"""Claims: what a source states about a commitment, and when two claims disagree.

A claim's value is an EDTF date or period where the fact is a date (`DATE_FACTS`), else text
(a status claim: a status of the vocabulary). Two claims on the same fact disagree when
their periods do not overlap ('2015' and '2020-03-14'; not '2024' and '2024-11'), or when
their texts differ (case and spacing aside). Disputes are derived from this, never typed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from django.core.exceptions import ValidationError

from commitments.choices import DATE_FACTS, ClaimFact, Status
from commitments.deadlines import deadline_parse

# EDTF's open end ("..", ISO 8601-2): '../2015' is on or before 2015, '2020-03-14/..' on or after.
OPEN = ".."
DATE_FORMS = (
    "EDTF such as '2015', '2020-03-14', '2024-11', '2025/2027', '../2015' (on or before) or "
    "'2020-03-14/..' (on or after); or words such as 'on March 14, 2020' or 'in November 2024'"
)


@dataclass(frozen=True)
class ClaimValue:
    value: str  # EDTF for a date fact; the text, whitespace folded, for any other
    first_day: date | None = None  # None: open (no earliest day)
    last_day: date | None = None  # None: open (no latest day)


class ClaimLike(Protocol):
    fact: str
    value: str
    first_day: date | None
    last_day: date | None


def _date_value(text: str) -> ClaimValue:
    if text.startswith(OPEN + "/"):
        end = deadline_parse(text[len(OPEN) + 1 :])
        return ClaimValue(f"{OPEN}/{end.edtf}", None, end.last_day)
    if text.endswith("/" + OPEN):
        start = deadline_parse(text[: -len(OPEN) - 1])
        return ClaimValue(f"{start.edtf}/{OPEN}", start.first_day, None)
    period = deadline_parse(text)
    return ClaimValue(period.edtf, period.first_day, period.last_day)


def claim_value_parse(*, fact: str, value: str | None) -> ClaimValue:
    """The value of a claim on `fact`, normalised; a ValidationError keyed `value` if it is
    not one (`fact` must be of the vocabulary: the caller checks it first)."""
    text = " ".join(str(value or "").split())
    if not text:
        raise ValidationError({"value": ["A claim needs a value: what the source states."]})
    if len(text) > 200:
        raise ValidationError({"value": [f"At most 200 characters; this has {len(text)}."]})
    if fact == ClaimFact.STATUS:
        if text not in Status.values:
            raise ValidationError(
                {
                    "value": [
                        f"A status claim's value is a status: one of {', '.join(Status.values)}."
                    ]
                }
            )
        return ClaimValue(text)
    if fact not in DATE_FACTS:
        return ClaimValue(text)
    try:
        return _date_value(text)
    except ValidationError:
        label = ClaimFact(fact).label
        raise ValidationError(
            {"value": [f"{label} is a date or period; {text!r} is not one. Give {DATE_FORMS}."]}
        ) from None


def _text_key(value: str) -> str:
    return " ".join(value.split()).casefold()


def claims_disagree(one: ClaimLike, other: ClaimLike) -> bool:
    """Can both be true? Periods that overlap can (the same day lies in both); texts must
    say the same thing."""
    if one.fact != other.fact:
        return False
    if one.fact in DATE_FACTS:
        return _before(one.last_day, other.first_day) or _before(other.last_day, one.first_day)
    return _text_key(one.value) != _text_key(other.value)


def _before(last_day: date | None, first_day: date | None) -> bool:
    return last_day is not None and first_day is not None and last_day < first_day


def disputed_facts(claims: Iterable[ClaimLike]) -> list[str]:
    """The facts on which some two of `claims` disagree, in the vocabulary's order."""
    by_fact: dict[str, list[ClaimLike]] = {}
    for claim in claims:
        by_fact.setdefault(claim.fact, []).append(claim)
    found = set()
    for fact, same in by_fact.items():
        if any(claims_disagree(a, b) for i, a in enumerate(same) for b in same[i + 1 :]):
            found.add(fact)
    return [fact for fact in ClaimFact.values if fact in found]
