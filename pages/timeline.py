"""The deadline timeline's geometry: each deadline period as a band on a shared axis of
years, today marked. Drawn by the template with CSS; no JavaScript."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from commitments.models import Commitment

# A one-day deadline still shows as a visible sliver.
MIN_BAND_PERCENT = 0.6


def edtf_qualifiers(edtf: str) -> list[str]:
    """How sure the period is, in words, from its EDTF qualifiers: `?` uncertain, `~`
    approximate, `%` both, `X` digits unspecified (e.g. `202X`)."""
    qualifiers = []
    if "?" in edtf or "%" in edtf:
        qualifiers.append(_("uncertain"))
    if "~" in edtf or "%" in edtf:
        qualifiers.append(_("approximate"))
    if "X" in edtf:
        qualifiers.append(_("unspecified"))
    return qualifiers


@dataclass(frozen=True)
class Band:
    commitment: Commitment
    left: float  # percent of the axis
    width: float
    qualifiers: list[str]

    @property
    def is_vague(self) -> bool:
        return bool(self.qualifiers)


@dataclass(frozen=True)
class Tick:
    label: str
    left: float


@dataclass(frozen=True)
class Axis:
    first_day: date
    last_day: date
    ticks: list[Tick]
    today: float

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def tick_spacing(self) -> float:
        """Percent between two labelled years, for the rows' grid lines (drawn by CSS as
        one repeating background, not an element per line per row)."""
        if len(self.ticks) < 2:
            return 100.0
        return self.ticks[1].left - self.ticks[0].left


def _percent(axis_first: date, days: int, day: date) -> float:
    return round(100 * (day - axis_first).days / days, 3)


def timeline_axis(commitments: Sequence[Commitment], *, today: date) -> Axis:
    """Whole years from the earliest first day to the latest last day, today included."""
    first_year = min([today.year, *(c.deadline_first_day.year for c in commitments)])
    last_year = max([today.year, *(c.deadline_last_day.year for c in commitments)])
    first, last = date(first_year, 1, 1), date(last_year, 12, 31)
    days = (last - first).days + 1
    step = max(1, (last_year - first_year + 1) // 12)  # at most a dozen labels
    ticks = [
        Tick(str(year), _percent(first, days, date(year, 1, 1)))
        for year in range(first_year, last_year + 1, step)
    ]
    return Axis(first, last, ticks, _percent(first, days, today))


def timeline_bands(commitments: Sequence[Commitment], *, axis: Axis) -> list[Band]:
    bands = []
    for commitment in commitments:
        left = _percent(axis.first_day, axis.days, commitment.deadline_first_day)
        span = (commitment.deadline_last_day - commitment.deadline_first_day).days + 1
        width = max(MIN_BAND_PERCENT, round(100 * span / axis.days, 3))
        bands.append(
            Band(
                commitment, left, min(width, 100 - left), edtf_qualifiers(commitment.deadline_edtf)
            )
        )
    return bands
