"""Deadlines are periods, not days: "in November 2024" is 2024-11-01 to 2024-11-30.

A deadline is kept as the words the source used, an EDTF value (Library of Congress Extended
Date/Time Format, ISO 8601-2) and the first and last day it covers. The `edtf` package parses
EDTF and turns English words into EDTF; this module adds what it lacks (quarters) and refuses
what cannot be a deadline.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from edtf import parse_edtf, struct_time_to_date, text_to_edtf

ACCEPTED_FORMS = (
    "Accepted forms: EDTF such as '2024-11', '2025/2027', '2025-11-15', '2027~' (approximate), "
    "'2024?' (uncertain), '2025-21' (spring), '2025-35' (third quarter); or words such as "
    "'in November 2024', 'for 2025-2027', 'in 2024-2025', 'by the end of 2025', "
    "'around 2027', 'spring 2025', 'Q3 2025', 'on March 14, 2020'."
)

# The edtf package reads "Q3 2025" as March; EDTF's own codes for quarters are 33 to 36.
_QUARTER_WORDS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
}
_QUARTER = re.compile(
    r"^(?:(?:in|by|during|for)\s+(?:the\s+)?)?"
    r"(?:q([1-4])|(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter)\s+(?:of\s+)?(\d{4})$",
    re.IGNORECASE,
)
_YEARS_PLAUSIBLE = range(1900, 2201)


@dataclass(frozen=True)
class Deadline:
    text: str
    edtf: str
    first_day: date
    last_day: date


def _refuse(value: str, problem: str) -> ValidationError:
    return ValidationError(f"{problem}: {value!r}. {ACCEPTED_FORMS}", code="invalid_deadline")


def _words_to_edtf(value: str) -> str | None:
    quarter = _QUARTER.match(value.strip())
    if quarter:
        number = int(quarter.group(1) or _QUARTER_WORDS[quarter.group(2).lower()])
        return f"{quarter.group(3)}-{32 + number}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return text_to_edtf(value)
        except Exception:  # the natural-language parser raises assorted errors on junk
            return None


def deadline_parse(value: str) -> Deadline:
    """Parse EDTF or plain words into a Deadline; raise ValidationError listing the forms."""
    text = " ".join(str(value).split())
    if not text:
        raise _refuse(text, "A deadline cannot be empty")
    if len(text) > 200:
        raise ValidationError(
            f"A deadline is at most 200 characters; this one has {len(text)}.",
            code="invalid_deadline",
        )
    # EDTF first: the words parser would misread valid EDTF such as '2025-21' or '2025/2027'.
    try:
        parsed = parse_edtf(text)
        edtf_value = text
    except Exception:
        edtf_value = _words_to_edtf(text)
        if not edtf_value:
            raise _refuse(text, "Cannot understand this deadline") from None
        try:
            parsed = parse_edtf(edtf_value)
        except Exception:
            raise _refuse(text, "Cannot understand this deadline") from None
    if str(parsed).startswith("/") or str(parsed).endswith("/") or ".." in str(parsed):
        # The edtf package invents a far end for open intervals; a deadline needs both ends.
        raise _refuse(text, "A deadline needs a known start and end")
    try:
        first_day = struct_time_to_date(parsed.lower_strict())
        last_day = struct_time_to_date(parsed.upper_strict())
    except Exception:  # open or unknown ends ('2020/..', 'XXXX-11') have no day to keep
        raise _refuse(text, "A deadline needs a known start and end") from None
    if first_day.year not in _YEARS_PLAUSIBLE or last_day.year not in _YEARS_PLAUSIBLE:
        raise _refuse(text, "A deadline needs a known year between 1900 and 2200")
    if last_day < first_day:
        raise _refuse(text, "This interval ends before it starts")
    return Deadline(text=text, edtf=str(parsed), first_day=first_day, last_day=last_day)
