"""The internal audit trail (django-simple-history): every edit, with who, when, before, after."""

from datetime import date

import pytest

from commitments.choices import PartyRole, Status
from commitments.services import (
    CitationSpec,
    PartySpec,
    commitment_change_deadline,
    commitment_create,
    commitment_record_status_change,
    commitment_update,
)
from sources.services import source_update
from tests.factories import SOURCE_TEXT, make_actor

pytestmark = pytest.mark.django_db

APPROVED = "Officials said the programme was approved by the Cabinet."


def _changes(record) -> dict[str, tuple]:
    """Before and after of each tracked field that changed, read from two history rows.

    Not `diff_against`: it leaves out fields that are not editable in forms (the version, the
    text's hash), which the audit trail keeps all the same.
    """
    before = record.prev_record
    values = [
        (field.attname, getattr(before, field.attname), getattr(record, field.attname))
        for field in record.tracked_fields
    ]
    return {name: (old, new) for name, old, new in values if old != new}


def test_creating_a_commitment_is_recorded_with_who_created_it(source, staff_user):
    commitment = commitment_create(
        reference="TM-1",
        title="Forum",
        kind="event",
        parties=[PartySpec(make_actor(), PartyRole.PROPOSER)],
        citations=[CitationSpec(source, APPROVED)],
        created_by=staff_user,
    )

    record = commitment.history.get()
    assert (record.history_type, record.history_user, record.title) == ("+", staff_user, "Forum")
    assert commitment.citations.get().history.get().history_user == staff_user


def test_an_edit_of_a_commitment_is_recorded_with_who_and_before_and_after(commitment, staff_user):
    commitment_update(
        commitment=commitment,
        data={"title": "Cyber-security programme 2025-2027", "tags": ["cybersecurity"]},
        updated_by=staff_user,
    )

    latest = commitment.history.first()
    assert (latest.history_type, latest.history_user) == ("~", staff_user)
    assert latest.history_date is not None
    assert _changes(latest) == {
        "title": ("National cyber-security programme", "Cyber-security programme 2025-2027"),
        "tags": ([], ["cybersecurity"]),
        "version": (1, 2),
        "updated_at": (latest.prev_record.updated_at, latest.updated_at),
    }


def test_a_status_change_is_in_the_audit_trail_with_its_reason(commitment, source, staff_user):
    commitment_record_status_change(
        commitment=commitment,
        status=Status.ADOPTED,
        effective_on=date(2025, 1, 1),
        source=source,
        quote=APPROVED,
        recorded_by=staff_user,
    )

    latest = commitment.history.first()
    assert latest.history_user == staff_user
    assert latest.history_change_reason == "status: proposed → adopted"
    changes = _changes(latest)
    assert (changes["status"], changes["version"]) == (("proposed", "adopted"), (1, 2))
    assert set(changes) == {"status", "version", "updated_at"}


def test_a_deadline_change_is_in_the_audit_trail_with_its_reason(commitment, source, staff_user):
    commitment_change_deadline(
        commitment=commitment,
        deadline="in November 2024",
        reason="Announced.",
        effective_on=date(2024, 9, 13),
        source=source,
        quote=APPROVED,
        recorded_by=staff_user,
    )

    latest = commitment.history.first()
    assert latest.history_user == staff_user
    assert latest.history_change_reason == "deadline: — → in November 2024"
    assert _changes(latest) == {
        "deadline_text": ("", "in November 2024"),
        "deadline_edtf": ("", "2024-11"),
        "deadline_first_day": (None, date(2024, 11, 1)),
        "deadline_last_day": (None, date(2024, 11, 30)),
        "version": (1, 2),
        "updated_at": (latest.prev_record.updated_at, latest.updated_at),
    }


def test_an_edit_of_a_source_is_recorded_with_who_and_before_and_after(source, staff_user):
    old_hash = source.text_sha256
    new_text = SOURCE_TEXT + " A correction."

    updated = source_update(
        source=source, data={"text": new_text, "publisher": "Agency"}, updated_by=staff_user
    )

    latest = source.history.first()
    assert (latest.history_type, latest.history_user) == ("~", staff_user)
    changes = _changes(latest)
    assert changes["text"] == (SOURCE_TEXT, new_text)
    assert changes["text_sha256"] == (old_hash, updated.text_sha256)
    assert changes["publisher"] == ("Test News", "Agency")
    assert "search_vector" not in changes
