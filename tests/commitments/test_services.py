"""Creating and editing commitments, their parties and citations through commitments/services.py."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from commitments.choices import CommitmentKind, PartyRole, Status
from commitments.deadlines import ACCEPTED_FORMS
from commitments.models import Citation, Commitment, Party
from commitments.services import (
    CitationSpec,
    PartySpec,
    citation_add,
    commitment_create,
    commitment_set_published,
    commitment_update,
    party_add,
)
from common.services import VersionConflict
from tests.factories import make_actor, make_commitment, make_source

pytestmark = pytest.mark.django_db

QUOTE = "a national cyber-security programme will run for 2025-2027"
FORUM = "It also proposed to hold a regional forum in Ashgabat in November 2024."


def _create(source, **extra):
    values = {
        "reference": "TM-1",
        "title": "Regional forum in Ashgabat",
        "kind": CommitmentKind.EVENT,
        "citations": [CitationSpec(source, FORUM)],
    }
    return commitment_create(**(values | extra))


# --- commitment_create ------------------------------------------------------------------------


def test_a_commitment_is_created_with_its_parties_citations_tags_and_deadline(source, staff_user):
    proposer, partner = make_actor(name="Ministry"), make_actor(name="OSCE")

    commitment = commitment_create(
        reference="TM-2024-04",
        title="Regional forum in Ashgabat",
        kind=CommitmentKind.EVENT,
        deadline="in  November\n2024",
        tags=[" Cybersecurity", "e-government", "cybersecurity", "", "E-Government "],
        announced_on=date(2024, 9, 13),
        parties=[PartySpec(proposer, PartyRole.PROPOSER), PartySpec(partner, PartyRole.PARTNER)],
        citations=[CitationSpec(source, "proposed to hold a regional forum\nin Ashgabat", "p. 1")],
        created_by=staff_user,
    )

    commitment.refresh_from_db()
    # Entered after its deadline (November 2024): overdue at once, which is version 2.
    assert (commitment.version, commitment.is_overdue) == (2, True)
    assert commitment.status == Status.PROPOSED
    assert commitment.is_published is False
    assert commitment.tags == ["cybersecurity", "e-government"]
    assert (
        commitment.deadline_text,
        commitment.deadline_edtf,
        commitment.deadline_first_day,
        commitment.deadline_last_day,
    ) == ("in November 2024", "2024-11", date(2024, 11, 1), date(2024, 11, 30))
    assert {(p.actor, p.role) for p in commitment.parties.all()} == {
        (proposer, PartyRole.PROPOSER),
        (partner, PartyRole.PARTNER),
    }
    citation = commitment.citations.get()
    assert (citation.source, citation.quote, citation.note, citation.created_by) == (
        source,
        "proposed to hold a regional forum in Ashgabat",
        "p. 1",
        staff_user,
    )


def test_a_commitment_without_a_deadline_has_none_of_its_parts(source):
    commitment = _create(source, deadline=None)

    assert commitment.deadline_text == commitment.deadline_edtf == ""
    assert commitment.deadline_first_day is None
    assert commitment.deadline_last_day is None
    assert not commitment.has_deadline


def test_a_commitment_with_an_unparseable_deadline_is_refused_and_nothing_is_written(source):
    with pytest.raises(ValidationError) as refused:
        _create(source, deadline="soon")

    assert refused.value.message_dict == {
        "deadline": [f"Cannot understand this deadline: 'soon'. {ACCEPTED_FORMS}"]
    }
    assert not Commitment.objects.exists()


def test_a_commitment_with_a_reversed_deadline_is_refused(source):
    with pytest.raises(ValidationError) as refused:
        _create(source, deadline="2027/2025")

    assert refused.value.message_dict == {
        "deadline": [f"This interval ends before it starts: '2027/2025'. {ACCEPTED_FORMS}"]
    }
    assert not Commitment.objects.exists()


def test_a_commitment_whose_quote_is_missing_from_the_source_is_refused_and_nothing_is_written(
    source,
):
    actor = make_actor()

    with pytest.raises(ValidationError) as refused:
        _create(
            source,
            parties=[PartySpec(actor, PartyRole.PROPOSER)],
            citations=[CitationSpec(source, "a forum in Samarkand")],
        )

    assert list(refused.value.message_dict) == ["quote"]
    assert not Commitment.objects.exists()
    assert not Party.objects.exists()


def test_a_commitment_with_a_status_outside_the_vocabulary_is_refused(source):
    with pytest.raises(ValidationError) as refused:
        _create(source, status="overdue")

    assert refused.value.message_dict == {"status": ["Value 'overdue' is not a valid choice."]}
    assert not Commitment.objects.exists()


def test_the_same_actor_twice_in_one_role_is_refused(source):
    actor = make_actor(name="Ministry")

    with pytest.raises(ValidationError) as refused:
        _create(
            source,
            parties=[PartySpec(actor, PartyRole.PROPOSER), PartySpec(actor, PartyRole.PROPOSER)],
        )

    assert refused.value.message_dict == {
        "parties": ["Ministry is already a proposer of this commitment."]
    }
    assert not Commitment.objects.exists()


def test_one_actor_may_hold_several_roles(source):
    actor = make_actor()

    commitment = _create(
        source,
        parties=[PartySpec(actor, PartyRole.PROPOSER), PartySpec(actor, PartyRole.RESPONSIBLE)],
    )

    assert commitment.parties.count() == 2


def test_an_unknown_role_is_refused(source):
    with pytest.raises(ValidationError) as refused:
        _create(source, parties=[PartySpec(make_actor(), "sponsor")])

    assert refused.value.message_dict == {
        "role": ["Unknown role 'sponsor'; one of: proposer, approver, responsible, partner."]
    }
    assert not Commitment.objects.exists()


def test_a_reference_is_unique(source):
    _create(source, reference="TM-1")

    with pytest.raises(ValidationError) as refused:
        _create(source, reference="TM-1")

    assert refused.value.message_dict == {
        "reference": ["Commitment with this Reference already exists."]
    }
    assert Commitment.objects.count() == 1


# --- citation_add -----------------------------------------------------------------------------


def test_a_citation_is_added_and_the_version_bumped(commitment, source, staff_user):
    citation = citation_add(
        commitment=commitment, source=source, quote=FORUM, note="the date", created_by=staff_user
    )

    assert (citation.commitment, citation.source, citation.quote, citation.note) == (
        commitment,
        source,
        FORUM,
        "the date",
    )
    assert citation.created_by == staff_user
    commitment.refresh_from_db()
    assert commitment.version == 2


def test_a_quote_missing_from_the_source_is_refused(commitment, source):
    with pytest.raises(ValidationError) as refused:
        citation_add(commitment=commitment, source=source, quote="a forum in Samarkand")

    assert refused.value.message_dict == {
        "quote": [
            f"This quote does not occur in the source “{source.title}” (id {source.pk}), even "
            "with whitespace folded. Copy it exactly from the source's text."
        ]
    }
    assert commitment.citations.count() == 1
    commitment.refresh_from_db()
    assert commitment.version == 1


def test_an_empty_quote_is_refused(commitment, source):
    with pytest.raises(ValidationError) as refused:
        citation_add(commitment=commitment, source=source, quote=" \n ")

    assert refused.value.message_dict == {"quote": ["A citation needs a quote from the source."]}


def test_a_quote_across_a_line_break_and_double_spaces_is_accepted_with_whitespace_folded(
    commitment, source
):
    # The text reads "...November 2024.\n\nOfficials said the   programme   was approved".
    citation = citation_add(
        commitment=commitment,
        source=source,
        quote="in November 2024. Officials said the programme  was\napproved",
    )

    assert citation.quote == "in November 2024. Officials said the programme was approved"


def test_the_same_quote_twice_is_refused(commitment, source):
    citation_add(commitment=commitment, source=source, quote=FORUM)

    with pytest.raises(ValidationError) as refused:
        citation_add(commitment=commitment, source=source, quote=FORUM.replace(" ", "  "))

    assert refused.value.message_dict == {
        "quote": ["This quote from this source is already cited for this commitment."]
    }
    assert commitment.citations.count() == 2
    commitment.refresh_from_db()
    assert commitment.version == 2


def test_the_same_quote_from_another_source_or_for_another_commitment_is_accepted(
    commitment, source
):
    other_source = make_source()
    other_commitment = make_commitment(source=source)

    citation_add(commitment=commitment, source=other_source, quote=QUOTE)
    citation_add(commitment=other_commitment, source=source, quote=FORUM)

    assert Citation.objects.filter(quote=QUOTE).count() == 3


def test_a_citation_on_a_stale_version_is_refused(commitment, source):
    with pytest.raises(VersionConflict) as refused:
        citation_add(commitment=commitment, source=source, quote=FORUM, expected_version=7)

    assert str(refused.value) == (
        "The commitment is at version 1, not 7: it was changed by someone else. Fetch it again "
        "and reapply your change."
    )
    assert commitment.citations.count() == 1


def test_a_party_is_added_and_the_version_bumped(commitment):
    actor = make_actor()

    party = party_add(commitment=commitment, actor=actor, role=PartyRole.RESPONSIBLE)

    assert (party.actor, party.role) == (actor, PartyRole.RESPONSIBLE)
    commitment.refresh_from_db()
    assert commitment.version == 2


# --- commitment_update ------------------------------------------------------------------------


def test_an_update_changes_the_given_fields_and_bumps_the_version(commitment, staff_user):
    updated = commitment_update(
        commitment=commitment,
        data={"title": "Cyber-security programme", "tags": ["Cybersecurity ", "cybersecurity"]},
        expected_version=1,
        updated_by=staff_user,
    )

    assert updated.version == 2
    stored = Commitment.objects.get(pk=commitment.pk)
    assert (stored.title, stored.tags, stored.version) == (
        "Cyber-security programme",
        ["cybersecurity"],
        2,
    )


def test_an_update_with_parties_replaces_them(commitment):
    old, new = make_actor(), make_actor()
    party_add(commitment=commitment, actor=old, role=PartyRole.PROPOSER)

    commitment_update(
        commitment=commitment,
        data={},
        parties=[PartySpec(new, PartyRole.RESPONSIBLE), PartySpec(old, PartyRole.PARTNER)],
    )

    assert {(p.actor, p.role) for p in commitment.parties.all()} == {
        (new, PartyRole.RESPONSIBLE),
        (old, PartyRole.PARTNER),
    }


def test_an_update_of_the_status_is_refused_pointing_to_the_status_change(commitment):
    with pytest.raises(ValidationError) as refused:
        commitment_update(commitment=commitment, data={"status": Status.COMPLETED})

    assert refused.value.message_dict == {
        "status": ["The status changes only with evidence: record a status change instead."]
    }
    commitment.refresh_from_db()
    assert (commitment.status, commitment.version) == (Status.PROPOSED, 1)


def test_an_update_of_the_deadline_is_refused_pointing_to_the_deadline_change(commitment):
    with pytest.raises(ValidationError) as refused:
        commitment_update(commitment=commitment, data={"deadline": "2026"})

    assert refused.value.message_dict == {
        "deadline": [
            "The deadline changes only with a reason and evidence: record a deadline change."
        ]
    }
    commitment.refresh_from_db()
    assert (commitment.deadline_edtf, commitment.version) == ("", 1)


@pytest.mark.parametrize("field", ["version", "is_overdue", "overdue_since", "colour"])
def test_an_update_of_an_unknown_or_managed_field_is_refused(commitment, field):
    with pytest.raises(ValidationError) as refused:
        commitment_update(commitment=commitment, data={field: 5, "title": "Changed"})

    assert refused.value.message_dict == {field: ["This field cannot be changed."]}
    commitment.refresh_from_db()
    assert (commitment.title, commitment.version) == ("National cyber-security programme", 1)


def test_a_commitment_cannot_be_its_own_parent(commitment):
    with pytest.raises(ValidationError) as refused:
        commitment_update(commitment=commitment, data={"parent": commitment})

    assert refused.value.message_dict == {
        "parent": ["A commitment cannot be its own parent, directly or through others."]
    }


def test_a_parent_cycle_through_others_is_refused(source):
    programme = make_commitment(source=source)
    milestone = make_commitment(source=source, parent=programme)
    step = make_commitment(source=source, parent=milestone)
    programme.refresh_from_db()  # its published milestone moved its version on
    before = programme.version

    with pytest.raises(ValidationError) as refused:
        commitment_update(commitment=programme, data={"parent": step})

    assert refused.value.message_dict == {
        "parent": ["A commitment cannot be its own parent, directly or through others."]
    }
    programme.refresh_from_db()
    assert (programme.parent, programme.version) == (None, before)


def test_a_parent_that_makes_no_cycle_is_accepted(source):
    programme, milestone = make_commitment(source=source), make_commitment(source=source)

    commitment_update(commitment=milestone, data={"parent": programme})

    assert list(programme.milestones.all()) == [milestone]


def test_an_update_on_a_stale_version_is_a_conflict_and_writes_nothing(commitment):
    commitment_update(commitment=commitment, data={"title": "First edit"}, expected_version=1)

    with pytest.raises(VersionConflict) as refused:
        commitment_update(commitment=commitment, data={"title": "Second edit"}, expected_version=1)

    assert (refused.value.expected, refused.value.current) == (1, 2)
    assert str(refused.value) == (
        "The commitment is at version 2, not 1: it was changed by someone else. Fetch it again "
        "and reapply your change."
    )
    stored = Commitment.objects.get(pk=commitment.pk)
    assert (stored.title, stored.version) == ("First edit", 2)
    assert stored.history.count() == 2


def test_publishing_is_an_update_that_bumps_the_version(source):
    draft = make_commitment(source=source, is_published=False)

    published = commitment_set_published(commitment=draft, is_published=True)

    assert (published.is_published, published.version) == (True, 2)
