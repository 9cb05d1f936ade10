"""Overdue is a flag, not a status: open commitments whose deadline's last day has passed."""

import datetime as dt
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from commitments.choices import Status
from commitments.models import Commitment
from commitments.services import (
    commitment_change_deadline,
    commitment_record_status_change,
    commitments_refresh_overdue_flags,
)
from tests.factories import make_commitment

pytestmark = pytest.mark.django_db

TODAY = date(2025, 1, 10)
ASHGABAT = ZoneInfo("Asia/Ashgabat")
QUOTE = "Officials said the programme was approved by the Cabinet."


def _flags(*commitments):
    return {
        c.reference: tuple(
            Commitment.objects.filter(pk=c.pk).values_list(
                "is_overdue", "overdue_since", "version"
            )[0]
        )
        for c in commitments
    }


@pytest.fixture
def board(source, time_machine):
    """One commitment of each kind the flag must tell apart, on 10 January 2025. They are
    entered in 2022, before any of their deadlines (a commitment entered past its deadline is
    flagged at once), and the clock then stands at TODAY."""
    time_machine.move_to(dt.datetime(2022, 6, 1, 9, tzinfo=ASHGABAT), tick=False)
    board = _board(source)
    time_machine.move_to(dt.datetime.combine(TODAY, dt.time(9), ASHGABAT), tick=False)
    return board


def _board(source):
    return {
        "past_month": make_commitment(source=source, reference="past-month", deadline="2024-12"),
        "ended_yesterday": make_commitment(
            source=source, reference="ended-yesterday", deadline="2025-01-09"
        ),
        "ends_today": make_commitment(source=source, reference="ends-today", deadline="2025-01-10"),
        "future": make_commitment(source=source, reference="future", deadline="2025"),
        "no_deadline": make_commitment(source=source, reference="no-deadline"),
        "completed": make_commitment(
            source=source, reference="completed", deadline="2024", status=Status.COMPLETED
        ),
        "abandoned": make_commitment(
            source=source, reference="abandoned", deadline="2024", status=Status.ABANDONED
        ),
        "stalled": make_commitment(
            source=source, reference="stalled", deadline="2023", status=Status.STALLED
        ),
    }


def test_open_commitments_past_their_last_day_are_flagged_from_the_day_after(board):
    changes = commitments_refresh_overdue_flags(today=TODAY)

    assert sorted(changes.became_overdue) == sorted(
        [
            (board["past_month"].pk, date(2024, 12, 31)),
            (board["ended_yesterday"].pk, date(2025, 1, 9)),
            (board["stalled"].pk, date(2023, 12, 31)),
        ]
    )
    assert changes.cleared == []
    assert _flags(*board.values()) == {
        "past-month": (True, date(2025, 1, 1), 2),
        "ended-yesterday": (True, date(2025, 1, 10), 2),
        "ends-today": (False, None, 1),
        "future": (False, None, 1),
        "no-deadline": (False, None, 1),
        "completed": (False, None, 1),
        "abandoned": (False, None, 1),
        "stalled": (True, date(2024, 1, 1), 2),
    }


def test_the_flags_are_set_and_cleared_in_three_statements(board, django_assert_num_queries):
    with django_assert_num_queries(3):
        commitments_refresh_overdue_flags(today=TODAY)


def test_an_overdue_deadline_moved_to_another_past_day_is_overdue_anew_from_the_new_day(
    board, source
):
    commitments_refresh_overdue_flags(today=TODAY)
    overdue = board["past_month"]  # 2024-12: overdue since 2025-01-01
    commitment_change_deadline(
        commitment=overdue,
        deadline="2024-11",
        reason="The source gives an earlier month.",
        effective_on=date(2025, 1, 5),
        source=source,
        quote=QUOTE,
    )

    # The change itself flags it anew, for the new day (its alert is the tracker's test).
    assert _flags(overdue) == {"past-month": (True, date(2024, 12, 1), 4)}
    changes = commitments_refresh_overdue_flags(today=TODAY)
    assert (changes.became_overdue, changes.cleared) == ([], [])


def test_a_second_call_changes_nothing(board):
    commitments_refresh_overdue_flags(today=TODAY)
    after_first = _flags(*board.values())

    changes = commitments_refresh_overdue_flags(today=TODAY)

    assert (changes.became_overdue, changes.cleared) == ([], [])
    assert _flags(*board.values()) == after_first


def test_a_final_status_clears_the_flag(board, source):
    commitments_refresh_overdue_flags(today=TODAY)
    overdue = board["past_month"]
    commitment_record_status_change(
        commitment=overdue,
        status=Status.COMPLETED,
        effective_on=date(2024, 12, 20),
        source=source,
        quote=QUOTE,
    )

    changes = commitments_refresh_overdue_flags(today=TODAY)

    assert changes.cleared == [overdue.pk]
    assert changes.became_overdue == []
    assert _flags(overdue) == {"past-month": (False, None, 4)}


def test_a_moved_deadline_clears_the_flag(board, source):
    commitments_refresh_overdue_flags(today=TODAY)
    overdue = board["ended_yesterday"]
    commitment_change_deadline(
        commitment=overdue,
        deadline="2025-02",
        reason="Postponed.",
        effective_on=date(2025, 1, 5),
        source=source,
        quote=QUOTE,
    )

    # The change itself clears the flag; the scan has nothing left to do.
    assert _flags(overdue) == {"ended-yesterday": (False, None, 4)}
    changes = commitments_refresh_overdue_flags(today=TODAY)
    assert (changes.became_overdue, changes.cleared) == ([], [])


def test_a_removed_deadline_clears_the_flag(board, source):
    commitments_refresh_overdue_flags(today=TODAY)
    overdue = board["past_month"]
    commitment_change_deadline(
        commitment=overdue,
        deadline=None,
        reason="No date any more.",
        effective_on=date(2025, 1, 5),
        source=source,
        quote=QUOTE,
    )

    assert _flags(overdue) == {"past-month": (False, None, 4)}
    assert commitments_refresh_overdue_flags(today=TODAY).cleared == []


def test_the_day_after_the_last_day_a_commitment_becomes_overdue(board):
    commitments_refresh_overdue_flags(today=TODAY)

    changes = commitments_refresh_overdue_flags(today=date(2025, 1, 11))

    assert changes.became_overdue == [(board["ends_today"].pk, date(2025, 1, 10))]
    assert _flags(board["ends_today"]) == {"ends-today": (True, date(2025, 1, 11), 2)}


def test_a_refresh_may_be_limited_to_some_commitments(board):
    only = [board["past_month"].pk, board["future"].pk]

    changes = commitments_refresh_overdue_flags(today=TODAY, commitment_ids=only)

    assert changes.became_overdue == [(board["past_month"].pk, date(2024, 12, 31))]
    assert Commitment.objects.filter(is_overdue=True).count() == 1


def test_a_refresh_limited_to_no_commitments_changes_nothing(board):
    changes = commitments_refresh_overdue_flags(today=TODAY, commitment_ids=[])

    assert (changes.became_overdue, changes.cleared) == ([], [])
    assert not Commitment.objects.filter(is_overdue=True).exists()
