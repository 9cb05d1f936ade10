"""How the pages draw what the data says: a period's band and its qualifiers, and a source's
quoted passages found in its text as published."""

from __future__ import annotations

import datetime as dt

import pytest

from commitments.models import Citation, Commitment
from pages.highlight import highlighted_segments
from pages.timeline import edtf_qualifiers, timeline_axis, timeline_bands


@pytest.mark.parametrize(
    ("edtf", "words"),
    [
        ("2025/2027", []),
        ("2024-11", []),
        ("2027~", ["approximate"]),
        ("2025?", ["uncertain"]),
        ("2025-06%", ["uncertain", "approximate"]),
        ("202X", ["unspecified"]),
    ],
)
def test_a_periods_qualifiers_are_named(edtf, words):
    assert edtf_qualifiers(edtf) == words


def _deadline(first: str, last: str, edtf: str = "x") -> Commitment:
    return Commitment(
        reference=edtf,
        deadline_edtf=edtf,
        deadline_first_day=dt.date.fromisoformat(first),
        deadline_last_day=dt.date.fromisoformat(last),
    )


def test_bands_sit_on_an_axis_of_whole_years_that_includes_today():
    programme = _deadline("2025-01-01", "2027-12-31", "2025/2027")
    month = _deadline("2024-11-01", "2024-11-30", "2024-11")
    day = _deadline("2026-03-05", "2026-03-05", "2026-03-05")

    axis = timeline_axis([programme, month, day], today=dt.date(2028, 7, 2))
    bands = timeline_bands([programme, month, day], axis=axis)

    assert (axis.first_day, axis.last_day) == (dt.date(2024, 1, 1), dt.date(2028, 12, 31))
    assert [t.label for t in axis.ticks] == ["2024", "2025", "2026", "2027", "2028"]
    assert bands[0].left == pytest.approx(100 * 366 / axis.days, abs=0.01)
    assert bands[0].width == pytest.approx(100 * 1095 / axis.days, abs=0.01)
    assert bands[1].width == pytest.approx(100 * 30 / axis.days, abs=0.01)
    assert bands[2].width == 0.6  # a single day still shows
    assert axis.today == pytest.approx(100 * (axis.days - 183) / axis.days, abs=0.01)


def test_a_long_axis_labels_at_most_about_a_dozen_years():
    axis = timeline_axis([_deadline("1990-01-01", "2050-12-31")], today=dt.date(2026, 1, 1))

    assert len(axis.ticks) <= 13
    assert axis.ticks[0].label == "1990"


def _citation(pk: int, quote: str) -> Citation:
    return Citation(pk=pk, quote=quote, commitment=Commitment(reference=f"C-{pk}"))


def test_quotes_are_found_across_line_breaks_and_may_overlap():
    text = "One. The forum will be held\n  in Ashgabat in November 2024. Two."
    forum = _citation(1, "The forum will be held in Ashgabat")
    month = _citation(2, "in Ashgabat in November 2024.")
    gone = _citation(3, "a sentence corrected away")

    segments, missing = highlighted_segments(text, [forum, month, gone])

    assert "".join(s.text for s in segments) == text  # nothing lost, nothing added
    marked = [(s.text, [c.pk for c in s.citations]) for s in segments if s.citations]
    assert marked == [
        ("The forum will be held\n  ", [1]),
        ("in Ashgabat", [1, 2]),
        (" in November 2024.", [2]),
    ]
    assert [[c.pk for c in s.starts] for s in segments if s.starts] == [[1], [2]]
    assert [[c.pk for c in s.ends] for s in segments if s.ends] == [[1], [2]]
    assert missing == [gone]
