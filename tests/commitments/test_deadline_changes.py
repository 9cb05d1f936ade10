"""A deadline moves only with a reason and evidence; old and new are both kept."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from commitments.deadlines import ACCEPTED_FORMS
from commitments.models import Citation, Commitment, DeadlineChange
from commitments.services import commitment_change_deadline
from common.services import VersionConflict
from tests.factories import make_commitment

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=ZoneInfo("Asia/Ashgabat"))
FORUM = "It also proposed to hold a regional forum in Ashgabat in November 2024."


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def forum(source):
    return make_commitment(source=source, deadline="in November 2024")


def _change(commitment, source, **extra):
    values = {
        "commitment": commitment,
        "deadline": "Q1 2025",
        "reason": "Postponed by the organisers.",
        "effective_on": date(2025, 2, 1),
        "source": source,
        "quote": FORUM,
    }
    return commitment_change_deadline(**(values | extra))


def _state(commitment):
    stored = Commitment.objects.get(pk=commitment.pk)
    return {
        "deadline": (
            stored.deadline_text,
            stored.deadline_edtf,
            stored.deadline_first_day,
            stored.deadline_last_day,
        ),
        "version": stored.version,
        "deadline_changes": DeadlineChange.objects.count(),
        "citations": Citation.objects.count(),
        "history": stored.history.count(),
    }


def test_a_deadline_change_records_the_old_and_the_new_deadline(forum, source, staff_user):
    change = _change(forum, source, deadline="in the first quarter of 2025", recorded_by=staff_user)

    change.refresh_from_db()
    assert (change.old_text, change.old_edtf, change.old_first_day, change.old_last_day) == (
        "in November 2024",
        "2024-11",
        date(2024, 11, 1),
        date(2024, 11, 30),
    )
    assert (change.new_text, change.new_edtf, change.new_first_day, change.new_last_day) == (
        "in the first quarter of 2025",
        "2025-33",
        date(2025, 1, 1),
        date(2025, 3, 31),
    )
    assert change.reason == "Postponed by the organisers."
    assert change.effective_on == date(2025, 2, 1)
    assert change.recorded_by == staff_user
    assert (change.evidence.source, change.evidence.quote) == (source, FORUM)
    stored = Commitment.objects.get(pk=forum.pk)
    assert (stored.deadline_text, stored.deadline_edtf, stored.deadline_last_day) == (
        "in the first quarter of 2025",
        "2025-33",
        date(2025, 3, 31),
    )
    # Entered past its deadline, it was overdue at once (version 2); the change (3) moved the
    # deadline to a period not yet over, which cleared the flag in the same transaction (4).
    assert stored.version == change.version == 4
    assert (stored.is_overdue, stored.overdue_since) == (False, None)


def test_a_first_deadline_is_a_change_from_none(commitment, source):
    change = _change(commitment, source, deadline="2026")

    assert (change.old_text, change.old_edtf, change.old_first_day, change.old_last_day) == (
        "",
        "",
        None,
        None,
    )
    assert (change.new_edtf, change.new_first_day, change.new_last_day) == (
        "2026",
        date(2026, 1, 1),
        date(2026, 12, 31),
    )


def test_a_deadline_may_be_removed_with_a_reason_and_evidence(forum, source):
    change = _change(forum, source, deadline=None, reason="The source no longer gives a date.")

    assert (change.new_text, change.new_edtf, change.new_first_day, change.new_last_day) == (
        "",
        "",
        None,
        None,
    )
    assert not Commitment.objects.get(pk=forum.pk).has_deadline


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_deadline_change_without_a_reason_is_refused(forum, source, reason):
    before = _state(forum)

    with pytest.raises(ValidationError) as refused:
        _change(forum, source, reason=reason)

    assert refused.value.message_dict == {"reason": ["A deadline change needs a reason."]}
    assert _state(forum) == before


def test_a_deadline_change_without_evidence_is_refused(forum):
    before = _state(forum)

    with pytest.raises(ValidationError) as refused:
        _change(forum, None, quote="")

    assert refused.value.message_dict == {
        "source": ["This change needs evidence: the source it is based on."],
        "quote": ["This change needs evidence: a quote from the source."],
    }
    assert _state(forum) == before


def test_a_deadline_change_whose_quote_is_not_in_the_source_is_refused(forum, source):
    before = _state(forum)

    with pytest.raises(ValidationError) as refused:
        _change(forum, source, quote="The forum was postponed to 2025.")

    assert list(refused.value.message_dict) == ["quote"]
    assert _state(forum) == before


def test_an_unparseable_deadline_is_refused(forum, source):
    before = _state(forum)

    with pytest.raises(ValidationError) as refused:
        _change(forum, source, deadline="soon")

    assert refused.value.message_dict == {
        "deadline": [f"Cannot understand this deadline: 'soon'. {ACCEPTED_FORMS}"]
    }
    assert _state(forum) == before


def test_a_reversed_deadline_is_refused(forum, source):
    before = _state(forum)

    with pytest.raises(ValidationError) as refused:
        _change(forum, source, deadline="2027/2025")

    assert refused.value.message_dict == {
        "deadline": [f"This interval ends before it starts: '2027/2025'. {ACCEPTED_FORMS}"]
    }
    assert _state(forum) == before


def test_an_unchanged_deadline_is_refused(forum, source):
    before = _state(forum)

    with pytest.raises(ValidationError) as refused:
        _change(forum, source, deadline="in  November 2024")

    assert refused.value.message_dict == {"deadline": ["The deadline is unchanged."]}
    assert _state(forum) == before


def test_removing_a_deadline_that_is_not_there_is_refused(commitment, source):
    with pytest.raises(ValidationError) as refused:
        _change(commitment, source, deadline=None)

    assert refused.value.message_dict == {"deadline": ["The deadline is unchanged."]}


def test_a_deadline_change_that_takes_effect_in_the_future_is_refused(forum, source):
    before = _state(forum)

    with pytest.raises(ValidationError) as refused:
        _change(forum, source, effective_on=date(2025, 3, 11))

    assert refused.value.message_dict == {
        "effective_on": ["2025-03-11 is in the future: record a change once it took effect."]
    }
    assert _state(forum) == before


def test_a_deadline_change_on_a_stale_version_is_a_conflict(forum, source):
    before = _state(forum)

    with pytest.raises(VersionConflict):
        _change(forum, source, expected_version=3)

    assert _state(forum) == before
