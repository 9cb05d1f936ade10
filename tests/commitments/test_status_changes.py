"""A status changes only with evidence, and every change is a record of its own."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from commitments.choices import Status
from commitments.models import Citation, Commitment, StatusChange
from commitments.services import commitment_record_status_change
from common.services import VersionConflict
from tests.factories import make_commitment, make_source

pytestmark = pytest.mark.django_db

ASHGABAT = ZoneInfo("Asia/Ashgabat")
# Noon in Ashgabat on 10 March 2025: "today" for these tests.
NOW = datetime(2025, 3, 10, 12, 0, tzinfo=ASHGABAT)
TODAY = date(2025, 3, 10)
APPROVED = "Officials said the programme was approved by the Cabinet."
CITED = "a national cyber-security programme will run for 2025-2027"  # the factory's citation


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _record(commitment, source, **extra):
    values = {
        "commitment": commitment,
        "status": Status.ADOPTED,
        "effective_on": date(2025, 3, 1),
        "source": source,
        "quote": APPROVED,
    }
    return commitment_record_status_change(**(values | extra))


def _state(commitment):
    """Everything a refused change must leave as it was."""
    stored = Commitment.objects.get(pk=commitment.pk)
    return {
        "status": stored.status,
        "version": stored.version,
        "status_changes": StatusChange.objects.count(),
        "citations": Citation.objects.count(),
        "history": stored.history.count(),
    }


def test_a_status_change_is_recorded_with_its_evidence(commitment, source, staff_user):
    change = _record(
        commitment,
        source,
        status=Status.ADOPTED,
        effective_on=date(2025, 3, 1),
        note="Approved at the Cabinet meeting.",
        quote="Officials said the programme\n was  approved by the Cabinet.",
        recorded_by=staff_user,
    )

    change.refresh_from_db()
    assert (change.old_status, change.new_status) == (Status.PROPOSED, Status.ADOPTED)
    assert change.effective_on == date(2025, 3, 1)
    assert change.note == "Approved at the Cabinet meeting."
    assert change.recorded_by == staff_user
    assert change.recorded_at == NOW
    assert (change.evidence.commitment, change.evidence.source, change.evidence.quote) == (
        commitment,
        source,
        APPROVED,
    )
    stored = Commitment.objects.get(pk=commitment.pk)
    assert (stored.status, stored.version) == (Status.ADOPTED, 2)
    assert change.version == stored.version


def test_a_status_change_with_a_quote_already_cited_reuses_that_citation(commitment, source):
    cited = commitment.citations.get()

    change = _record(commitment, source, quote=CITED.replace(" ", "\n", 1))

    assert change.evidence == cited
    assert commitment.citations.count() == 1


def test_a_status_may_move_back_with_evidence(commitment, source):
    _record(commitment, source, status=Status.COMPLETED, effective_on=date(2025, 1, 15))

    reopened = _record(
        commitment,
        source,
        status=Status.IN_PROGRESS,
        effective_on=date(2025, 3, 1),
        quote="It also proposed to hold a regional forum",
    )

    assert (reopened.old_status, reopened.new_status) == (Status.COMPLETED, Status.IN_PROGRESS)
    stored = Commitment.objects.get(pk=commitment.pk)
    assert (stored.status, stored.version) == (Status.IN_PROGRESS, 3)
    assert list(
        StatusChange.objects.filter(commitment=commitment).values_list(
            "old_status", "new_status", "version"
        )
    ) == [
        (Status.PROPOSED, Status.COMPLETED, 2),
        (Status.COMPLETED, Status.IN_PROGRESS, 3),
    ]


def test_a_status_change_without_a_source_is_refused_and_nothing_is_written(commitment, source):
    before = _state(commitment)

    with pytest.raises(ValidationError) as refused:
        _record(commitment, None)

    assert refused.value.message_dict == {
        "source": ["This change needs evidence: the source it is based on."]
    }
    assert _state(commitment) == before


@pytest.mark.parametrize("quote", [None, "", "  \n "])
def test_a_status_change_without_a_quote_is_refused_and_nothing_is_written(
    commitment, source, quote
):
    before = _state(commitment)

    with pytest.raises(ValidationError) as refused:
        _record(commitment, source, quote=quote)

    assert refused.value.message_dict == {
        "quote": ["This change needs evidence: a quote from the source."]
    }
    assert _state(commitment) == before


def test_a_status_change_without_any_evidence_names_both_fields(commitment):
    with pytest.raises(ValidationError) as refused:
        _record(commitment, None, quote=None)

    assert refused.value.message_dict == {
        "source": ["This change needs evidence: the source it is based on."],
        "quote": ["This change needs evidence: a quote from the source."],
    }


def test_a_status_change_whose_quote_is_not_in_the_source_is_refused(commitment, source):
    before = _state(commitment)

    with pytest.raises(ValidationError) as refused:
        _record(commitment, source, quote="The programme was completed.")

    assert list(refused.value.message_dict) == ["quote"]
    assert refused.value.message_dict["quote"][0].startswith("This quote does not occur in")
    assert _state(commitment) == before


def test_a_change_to_the_same_status_is_refused_and_nothing_is_written(commitment, source):
    before = _state(commitment)

    with pytest.raises(ValidationError) as refused:
        _record(commitment, source, status=Status.PROPOSED)

    assert refused.value.message_dict == {
        "status": ["The commitment is already 'proposed': a status change must change it."]
    }
    assert _state(commitment) == before


@pytest.mark.parametrize("status", ["overdue", "done", ""])
def test_a_status_outside_the_vocabulary_is_refused_and_nothing_is_written(
    commitment, source, status
):
    before = _state(commitment)

    with pytest.raises(ValidationError) as refused:
        _record(commitment, source, status=status)

    assert refused.value.message_dict == {
        "status": [
            f"Unknown status {status!r}; one of: proposed, adopted, in_progress, stalled, "
            "completed, partially_completed, abandoned."
        ]
    }
    assert _state(commitment) == before


def test_a_status_change_that_takes_effect_in_the_future_is_refused(commitment, source):
    before = _state(commitment)

    with pytest.raises(ValidationError) as refused:
        _record(commitment, source, effective_on=date(2025, 3, 11))

    assert refused.value.message_dict == {
        "effective_on": ["2025-03-11 is in the future: record a change once it took effect."]
    }
    assert _state(commitment) == before


def test_a_status_change_needs_the_date_it_took_effect(commitment, source):
    with pytest.raises(ValidationError) as refused:
        _record(commitment, source, effective_on=None)

    assert refused.value.message_dict == {
        "effective_on": ["The date the change took effect is required."]
    }


def test_a_status_change_may_take_effect_today(commitment, source):
    change = _record(commitment, source, effective_on=TODAY)

    assert change.effective_on == TODAY


def test_today_is_the_date_in_ashgabat_not_in_utc(source):
    # 20:30 UTC on 10 March is 01:30 on 11 March in Ashgabat (UTC+5).
    with time_machine.travel(datetime(2025, 3, 10, 20, 30, tzinfo=UTC), tick=False):
        commitment = make_commitment(source=source)
        change = _record(commitment, source, effective_on=date(2025, 3, 11))

    assert change.effective_on == date(2025, 3, 11)


def test_a_status_change_on_a_stale_version_is_a_conflict_and_writes_nothing(commitment, source):
    _record(commitment, source, status=Status.ADOPTED)
    before = _state(commitment)

    with pytest.raises(VersionConflict):
        _record(commitment, source, status=Status.IN_PROGRESS, expected_version=1)

    assert _state(commitment) == before


def test_several_refusals_are_reported_together(commitment):
    with pytest.raises(ValidationError) as refused:
        _record(commitment, None, status="done", quote="", effective_on=date(2030, 1, 1))

    assert sorted(refused.value.message_dict) == ["effective_on", "quote", "source", "status"]


def test_a_status_change_on_another_source_adds_that_citation(commitment):
    other = make_source(text="Officials said the programme was approved by the Cabinet.")

    change = _record(commitment, other)

    assert change.evidence.source == other
    assert commitment.citations.count() == 2
