"""Deadlines are periods, not days: words or EDTF in, the words, EDTF, first and last day out."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from commitments.deadlines import ACCEPTED_FORMS, deadline_parse

# (as stated, EDTF, first day, last day)
ACCEPTED = [
    # The deadlines of the seed articles, and the forms docs/staff-workflow.md promises.
    ("in November 2024", "2024-11", date(2024, 11, 1), date(2024, 11, 30)),
    ("for 2025-2027", "2025/2027", date(2025, 1, 1), date(2027, 12, 31)),
    ("in 2024-2025", "2024/2025", date(2024, 1, 1), date(2025, 12, 31)),
    ("by the end of 2025", "2025", date(2025, 1, 1), date(2025, 12, 31)),
    ("around 2027", "2027~", date(2027, 1, 1), date(2027, 12, 31)),
    # Words for months, days, seasons and quarters.
    ("November 2024", "2024-11", date(2024, 11, 1), date(2024, 11, 30)),
    ("on March 14, 2020", "2020-03-14", date(2020, 3, 14), date(2020, 3, 14)),
    ("spring 2025", "2025-21", date(2025, 3, 1), date(2025, 5, 31)),
    ("autumn 2024", "2024-23", date(2024, 9, 1), date(2024, 11, 30)),
    ("Q3 2025", "2025-35", date(2025, 7, 1), date(2025, 9, 30)),
    ("q1 2025", "2025-33", date(2025, 1, 1), date(2025, 3, 31)),
    ("third quarter of 2025", "2025-35", date(2025, 7, 1), date(2025, 9, 30)),
    ("in the fourth quarter of 2024", "2024-36", date(2024, 10, 1), date(2024, 12, 31)),
    # Approximate and uncertain, in words and in EDTF.
    ("possibly 2024", "2024?", date(2024, 1, 1), date(2024, 12, 31)),
    ("circa 2027", "2027~", date(2027, 1, 1), date(2027, 12, 31)),
    ("2027~", "2027~", date(2027, 1, 1), date(2027, 12, 31)),
    ("2024?", "2024?", date(2024, 1, 1), date(2024, 12, 31)),
    ("2024-11-15?", "2024-11-15?", date(2024, 11, 15), date(2024, 11, 15)),
    # EDTF: years, months, exact days, seasons, quarters and intervals.
    ("2024", "2024", date(2024, 1, 1), date(2024, 12, 31)),
    ("2024-11", "2024-11", date(2024, 11, 1), date(2024, 11, 30)),
    ("2025-11-15", "2025-11-15", date(2025, 11, 15), date(2025, 11, 15)),
    ("2024-02-29", "2024-02-29", date(2024, 2, 29), date(2024, 2, 29)),
    ("2025-21", "2025-21", date(2025, 3, 1), date(2025, 5, 31)),
    ("2025-35", "2025-35", date(2025, 7, 1), date(2025, 9, 30)),
    ("2025/2027", "2025/2027", date(2025, 1, 1), date(2027, 12, 31)),
    ("2024-01-15/2024-03", "2024-01-15/2024-03", date(2024, 1, 15), date(2024, 3, 31)),
    ("2024~/2025", "2024~/2025", date(2024, 1, 1), date(2025, 12, 31)),
    ("2024-11-XX", "2024-11-XX", date(2024, 11, 1), date(2024, 11, 30)),
    # Sources print ranges with an en dash as often as with a hyphen.
    ("for 2025\u20132027", "2025/2027", date(2025, 1, 1), date(2027, 12, 31)),
    ("in 2024\u20142025", "2024/2025", date(2024, 1, 1), date(2025, 12, 31)),
    # Ranges in words, each end parsed on its own (the extraction assistant meets these).
    ("from 2025 to 2027", "2025/2027", date(2025, 1, 1), date(2027, 12, 31)),
    ("between 2025 and 2027", "2025/2027", date(2025, 1, 1), date(2027, 12, 31)),
    (
        "from March 2025 to June 2026",
        "2025-03/2026-06",
        date(2025, 3, 1),
        date(2026, 6, 30),
    ),
    ("in the period from 2024 to 2025", "2024/2025", date(2024, 1, 1), date(2025, 12, 31)),
    # A day its month has, in a leap year.
    ("on February 29, 2024", "2024-02-29", date(2024, 2, 29), date(2024, 2, 29)),
    ("14 March 2020", "2020-03-14", date(2020, 3, 14), date(2020, 3, 14)),
]

# (as stated, the problem the refusal names)
REFUSED = [
    ("regularly", "Cannot understand this deadline"),
    ("soon", "Cannot understand this deadline"),
    ("next year", "Cannot understand this deadline"),
    ("by the end of the year", "Cannot understand this deadline"),
    ("", "A deadline cannot be empty"),
    ("   \n ", "A deadline cannot be empty"),
    ("2027/2025", "This interval ends before it starts"),
    ("2025-12/2025-01", "This interval ends before it starts"),
    ("2024-11-31", "Cannot understand this deadline"),
    ("2025-02-30", "Cannot understand this deadline"),
    # 2025 is not a leap year: the edtf package parses the day, the calendar has none.
    ("2025-02-29", "Cannot understand this deadline"),
    # An X is an unspecified digit; the words parser would drop it and read January.
    ("2024-1X", "Cannot understand this deadline"),
    ("2020/..", "A deadline needs a known start and end"),
    ("../2025", "A deadline needs a known start and end"),
    ("2024-06/..", "A deadline needs a known start and end"),
    ("before 2026", "A deadline needs a known start and end"),
    ("after 2026", "A deadline needs a known start and end"),
    ("1850", "A deadline needs a known year between 1900 and 2200"),
    ("XXXX-11", "A deadline needs a known year between 1900 and 2200"),
    ("from 2027 to 2025", "This interval ends before it starts"),
    ("from 2025 to soon", "Cannot understand this deadline"),
    # A deadline is stored as one period: EDTF's sets and lists are not one, and the words
    # parser must not pick one year out of junk or a list.
    ("[2024,2025]", "A deadline is one period, not a set or list of dates"),
    ("{2024,2025}", "A deadline is one period, not a set or list of dates"),
    ("[2024..2026]", "A deadline is one period, not a set or list of dates"),
    ("{[{[{[{[2024", "A deadline is one period, not a set or list of dates"),
    ("2024,2024,2024,1999", "Cannot understand this deadline"),
    # A day its month lacks is refused, not read as another year or the whole year.
    ("on March 44, 2020", "March has no day 44"),
    ("February 30, 2024", "February has no day 30"),
    ("on February 29, 2025", "February has no day 29"),
    ("June 31, 2025", "June has no day 31"),
    ("February 30", "Cannot understand this deadline"),
]


@pytest.mark.parametrize(("stated", "edtf", "first_day", "last_day"), ACCEPTED)
def test_a_deadline_in_words_or_edtf_becomes_a_period(stated, edtf, first_day, last_day):
    deadline = deadline_parse(stated)

    assert (deadline.text, deadline.edtf, deadline.first_day, deadline.last_day) == (
        stated,
        edtf,
        first_day,
        last_day,
    )


@pytest.mark.parametrize(("stated", "problem"), REFUSED)
def test_what_cannot_be_a_deadline_is_refused_with_the_accepted_forms(stated, problem):
    with pytest.raises(ValidationError) as refused:
        deadline_parse(stated)

    expected = " ".join(stated.split())
    assert refused.value.messages == [f"{problem}: {expected!r}. {ACCEPTED_FORMS}"]
    assert refused.value.code == "invalid_deadline"


def test_the_refusal_lists_the_accepted_forms_in_edtf_and_in_words():
    with pytest.raises(ValidationError) as refused:
        deadline_parse("regularly")

    message = refused.value.messages[0]
    for form in ("'2024-11'", "'2025/2027'", "'2027~'", "'2024?'", "'2025-21'", "'2025-35'"):
        assert form in message
    for words in ("'in November 2024'", "'for 2025-2027'", "'by the end of 2025'", "'Q3 2025'"):
        assert words in message


def test_a_deadline_keeps_the_words_as_stated_with_whitespace_folded():
    deadline = deadline_parse("  in   November\n2024 ")

    assert deadline.text == "in November 2024"
    assert deadline.edtf == "2024-11"


def test_a_deadline_longer_than_its_column_is_refused():
    with pytest.raises(ValidationError) as refused:
        deadline_parse("in November 2024, " + "x" * 190)

    assert refused.value.messages == ["A deadline is at most 200 characters; this one has 208."]
