"""Deadlines are periods, not days: "in November 2024" is 2024-11-01 to 2024-11-30.

A deadline is kept as the words the source used, an EDTF value (Library of Congress Extended
Date/Time Format, ISO 8601-2) and the first and last day it covers. The `edtf` package parses
EDTF and turns English words into EDTF; this module adds what it lacks (quarters) and refuses
what cannot be a deadline.
"""

from __future__ import annotations

import calendar
import re
import warnings
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from edtf import MultipleDates, OneOfASet, parse_edtf, struct_time_to_date, text_to_edtf

ACCEPTED_FORMS = (
    "Accepted forms: EDTF such as '2024-11', '2025/2027', '2025-11-15', '2027~' (approximate), "
    "'2024?' (uncertain), '2025-21' (spring), '2025-35' (third quarter); or words such as "
    "'in November 2024', 'for 2025-2027', 'in 2024-2025', 'by the end of 2025', "
    "'around 2027', 'spring 2025', 'Q3 2025', 'on March 14, 2020', 'from 2025 to 2027', "
    "'between March 2025 and June 2026'."
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
    r"^(?:(?:in|by|during|for)\s+)?(?:the\s+)?"
    r"(?:q([1-4])|(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter)\s+(?:of\s+)?(\d{4})$",
    re.IGNORECASE,
)
# Any other mention of a quarter ('Q5 2025', 'fifth quarter') is refused, not left to the
# words parser, which reads 'Q5 2025' as May.
_QUARTER_LIKE = re.compile(r"\bq\d+\b|\bquarters?\b", re.IGNORECASE)
_YEARS_PLAUSIBLE = range(1900, 2201)
# Sources print "2025-2027" with an en dash (U+2013) as often as with a hyphen; the words parser
# reads any other dash as a separator and keeps only the last year ("2027").
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
# EDTF's X is an unspecified digit. Text that uses it and is not valid EDTF must not reach the
# words parser, which drops the X and reads '2024-1X' (October to December) as January.
_UNSPECIFIED_DIGIT = re.compile(r"\d[Xx]|[Xx]\d")
# "from 2025 to 2027", "between March 2025 and June 2026": two ends the words parser cannot
# read as one (it keeps only one of them); each end is parsed on its own.
_WORDS_RANGE = re.compile(
    r"^(?:(?:in|for|during)\s+the\s+period\s+)?(?:from|between)\s+(.+?)\s+(?:to|until|till|and)\s+(.+)$",
    re.IGNORECASE,
)
# EDTF's sets ('[2024,2025]': one of them) and lists ('{2024,2025}': all of them) are not one
# period, and a deadline is stored as one: its first and last day.
_SETS = (OneOfASet, MultipleDates)
# The words parser skips what it does not understand: '{[{[2024' and '2024,2024,1999' came out
# as 2024, 'March 44, 2020' as March 2044, 'February 30, 2024' as the whole of 2024. So the
# words path refuses set brackets, a year of the text the period does not have (or the reverse),
# and a day its month lacks.
_SET_BRACKETS = re.compile(r"[\[\]{}]")
_YEAR_IN_TEXT = re.compile(r"(?<!\d)(1\d{3}|2\d{3})(?!\d)")
_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name} | {
    name.lower(): number for number, name in enumerate(calendar.month_abbr) if name
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?<!\d)(?P<day>\d{1,2})(?:st|nd|rd|th)?(?!\d)"
_DAY_OF_MONTH = (
    re.compile(rf"\b{_MONTH}\s+{_DAY}", re.IGNORECASE),
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\b", re.IGNORECASE),
)


def _words_problem(text: str, lower, upper) -> str | None:
    """What the words parser skipped in `text` to read it as lower..upper (None: nothing)."""
    if _SET_BRACKETS.search(text):
        return "A deadline is one period, not a set or list of dates"
    stated = {int(year) for year in _YEAR_IN_TEXT.findall(text)}
    for pattern in _DAY_OF_MONTH:
        for named in pattern.finditer(text):
            month, day = _MONTHS[named["month"].lower()], int(named["day"])
            # Unless the text names one year, February may have 29 days (2024 is a leap year).
            year = next(iter(stated)) if len(stated) == 1 else 2024
            if not 1 <= day <= calendar.monthrange(year, month)[1]:
                return f"{calendar.month_name[month]} has no day {day}"
    if stated != {lower.tm_year, upper.tm_year}:
        return "Cannot understand this deadline"
    return None


@dataclass(frozen=True)
class Deadline:
    text: str
    edtf: str
    first_day: date
    last_day: date


def _refuse(value: str, problem: str) -> ValidationError:
    return ValidationError(f"{problem}: {value!r}. {ACCEPTED_FORMS}", code="invalid_deadline")


def _words_to_edtf(value: str) -> str | None:
    words_range = _WORDS_RANGE.match(value.strip())
    if words_range:
        ends = [_words_to_edtf(end) or "" for end in words_range.groups()]
        if all(ends) and not any("/" in end for end in ends):
            return f"{ends[0]}/{ends[1]}"
        return None
    quarter = _QUARTER.match(value.strip())
    if quarter:
        number = int(quarter.group(1) or _QUARTER_WORDS[quarter.group(2).lower()])
        return f"{quarter.group(3)}-{32 + number}"
    if _QUARTER_LIKE.search(value):
        return None
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
    from_words = False
    try:
        parsed = parse_edtf(text)
        edtf_value = text
    except Exception:
        from_words = True
        if _UNSPECIFIED_DIGIT.search(text):
            raise _refuse(text, "Cannot understand this deadline") from None
        edtf_value = _words_to_edtf(_DASHES.sub("-", text))
        if not edtf_value:
            raise _refuse(text, "Cannot understand this deadline") from None
        try:
            parsed = parse_edtf(edtf_value)
        except Exception:
            raise _refuse(text, "Cannot understand this deadline") from None
    if isinstance(parsed, _SETS):
        raise _refuse(text, "A deadline is one period, not a set or list of dates")
    if str(parsed).startswith("/") or str(parsed).endswith("/") or ".." in str(parsed):
        # The edtf package invents a far end for open intervals; a deadline needs both ends.
        raise _refuse(text, "A deadline needs a known start and end")
    try:
        lower, upper = parsed.lower_strict(), parsed.upper_strict()
    except Exception:  # an end the edtf package cannot place has no day to keep
        raise _refuse(text, "A deadline needs a known start and end") from None
    # An unknown year ('XXXX-11') comes back as year 0.
    if lower.tm_year not in _YEARS_PLAUSIBLE or upper.tm_year not in _YEARS_PLAUSIBLE:
        raise _refuse(text, "A deadline needs a known year between 1900 and 2200")
    try:
        first_day = struct_time_to_date(lower)
        last_day = struct_time_to_date(upper)
    except ValueError:  # the edtf package accepts days the calendar lacks, e.g. 2025-02-29
        raise _refuse(text, "Cannot understand this deadline") from None
    if last_day < first_day:
        raise _refuse(text, "This interval ends before it starts")
    problem = from_words and _words_problem(text, lower, upper)
    if problem:
        raise _refuse(text, problem)
    return Deadline(text=text, edtf=str(parsed), first_day=first_day, last_day=last_day)
