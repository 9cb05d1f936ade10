"""Claims: facts a citation states, and disputes derived from them (never typed in)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from commitments.models import Citation, Claim, ClaimResolution, Commitment
from commitments.services import claim_add, dispute_resolve
from tests.factories import make_commitment, make_source

pytestmark = pytest.mark.django_db

TEXT = (
    "The law was put into effect in 2015. The law was adopted on March 14, 2020. "
    "The forum takes place in 2024. The forum takes place in November 2024. "
    "The ministry is responsible. The MINISTRY   is responsible. The agency is responsible. "
    "The courts later confirmed the 2020 date."
)
IN_2015 = "The law was put into effect in 2015."
ON_2020 = "The law was adopted on March 14, 2020."


@pytest.fixture
def law(db):
    source = make_source(text=TEXT)
    return make_commitment(source=source, quote=IN_2015, reference="LAW-1"), source


def _claim(commitment, source, fact, value, quote, **extra) -> Claim:
    return claim_add(
        commitment=commitment, fact=fact, value=value, source=source, quote=quote, **extra
    )


def _disputed(commitment) -> list[str]:
    return Commitment.objects.get(pk=commitment.pk).disputed_facts


def test_in_force_from_2015_and_2020_03_14_dispute_that_fact(law):
    commitment, source = law
    _claim(commitment, source, "in_force_from", "2015", IN_2015)
    assert _disputed(commitment) == []  # one claim disagrees with nothing

    _claim(commitment, source, "in_force_from", "2020-03-14", ON_2020)

    assert _disputed(commitment) == ["in_force_from"]


def test_2024_and_2024_11_overlap_so_they_do_not_dispute(law):
    commitment, source = law
    _claim(commitment, source, "deadline", "2024", "The forum takes place in 2024.")
    _claim(commitment, source, "deadline", "in November 2024", "takes place in November 2024")

    assert _disputed(commitment) == []
    assert list(commitment.claims.values_list("value", "first_day", "last_day")) == [
        ("2024", *_days("2024-01-01", "2024-12-31")),
        ("2024-11", *_days("2024-11-01", "2024-11-30")),
    ]


def _days(first: str, last: str) -> tuple[date, date]:
    return date.fromisoformat(first), date.fromisoformat(last)


def test_claims_on_different_facts_never_dispute(law):
    commitment, source = law
    _claim(commitment, source, "in_force_from", "2015", IN_2015)
    _claim(commitment, source, "adopted_on", "2020-03-14", ON_2020)

    assert _disputed(commitment) == []


def test_an_open_end_reads_as_on_or_before_or_on_or_after(law):
    commitment, source = law
    _claim(commitment, source, "in_force_from", "2015", IN_2015)
    later = _claim(commitment, source, "in_force_from", "2020-03-14/..", ON_2020)
    assert (later.value, later.first_day, later.last_day) == (
        "2020-03-14/..",
        date(2020, 3, 14),
        None,
    )
    assert _disputed(commitment) == ["in_force_from"]

    other = make_commitment(source=source, quote=ON_2020, reference="LAW-2")
    _claim(other, source, "adopted_on", "../2020", IN_2015)
    _claim(other, source, "adopted_on", "2020-03-14", ON_2020)
    assert _disputed(other) == []  # "2020 or before" holds 14 March 2020


def test_texts_that_differ_dispute_the_fact_case_and_spacing_aside(law):
    commitment, source = law
    _claim(commitment, source, "responsible", "the Ministry", "The ministry is responsible.")
    _claim(commitment, source, "responsible", "The  ministry", "The MINISTRY is responsible.")
    assert _disputed(commitment) == []

    _claim(commitment, source, "responsible", "the agency", "The agency is responsible.")
    assert _disputed(commitment) == ["responsible"]


def test_a_claim_whose_quote_is_not_in_the_source_is_refused_and_writes_nothing(law):
    commitment, source = law
    before = (Claim.objects.count(), Citation.objects.count(), commitment.version)

    with pytest.raises(ValidationError) as refused:
        _claim(commitment, source, "in_force_from", "2016", "The law took effect in 2016.")

    assert "quote" in refused.value.message_dict
    assert "does not occur in the source" in refused.value.message_dict["quote"][0]
    commitment.refresh_from_db()
    assert (Claim.objects.count(), Citation.objects.count(), commitment.version) == before


@pytest.mark.parametrize(
    ("fact", "value", "field", "words"),
    [
        ("in_force_from", "sometime", "value", "In force from is a date or period"),
        ("in_force_from", "", "value", "needs a value"),
        ("status", "kept", "value", "one of proposed"),
        ("colour", "red", "fact", "Unknown fact 'colour'"),
    ],
)
def test_a_claim_the_service_cannot_read_is_refused_naming_the_field(
    law, fact, value, field, words
):
    commitment, source = law
    with pytest.raises(ValidationError) as refused:
        _claim(commitment, source, fact, value, IN_2015)
    assert words in " ".join(refused.value.message_dict[field])
    assert not Claim.objects.exists()


def test_a_claim_cites_its_quote_once_and_bumps_the_version(law):
    commitment, source = law
    version = Commitment.objects.get(pk=commitment.pk).version

    claim = _claim(commitment, source, "in_force_from", "2015", f"  {IN_2015}  ")

    assert claim.citation == Citation.objects.get(commitment=commitment, quote=IN_2015)
    assert Citation.objects.filter(commitment=commitment).count() == 1
    assert Commitment.objects.get(pk=commitment.pk).version == version + 1
    with pytest.raises(ValidationError, match="already claims"):
        _claim(commitment, source, "in_force_from", "2015", IN_2015)


def test_a_resolution_keeps_both_claims_and_the_dispute(law, staff_user):
    commitment, source = law
    early = _claim(commitment, source, "in_force_from", "2015", IN_2015)
    late = _claim(commitment, source, "in_force_from", "2020-03-14", ON_2020)

    resolution = dispute_resolve(
        commitment=commitment,
        fact="in_force_from",
        followed_claim=late,
        note="The courts confirm 2020.",
        source=source,
        quote="The courts later confirmed the 2020 date.",
        recorded_by=staff_user,
    )

    assert set(commitment.claims.all()) == {early, late}
    assert _disputed(commitment) == ["in_force_from"]  # the sources still disagree
    assert resolution.followed_claim == late
    assert resolution.evidence.quote == "The courts later confirmed the 2020 date."


def test_a_resolution_is_refused_without_a_dispute_note_evidence_or_a_claim_of_the_fact(law):
    commitment, source = law
    early = _claim(commitment, source, "in_force_from", "2015", IN_2015)

    def resolve(**changes):
        arguments = {
            "commitment": commitment,
            "fact": "in_force_from",
            "followed_claim": early,
            "note": "Because.",
            "source": source,
            "quote": IN_2015,
            **changes,
        }
        with pytest.raises(ValidationError) as refused:
            dispute_resolve(**arguments)
        return refused.value.message_dict

    assert "nothing to resolve" in resolve()["fact"][0]  # one claim: no dispute
    _claim(commitment, source, "in_force_from", "2020-03-14", ON_2020)
    assert "needs a note" in resolve(note=" ")["note"][0]
    assert "evidence" in resolve(quote="")["quote"][0]
    assert "does not occur" in resolve(quote="A sentence that is made up.")["quote"][0]
    other = _claim(commitment, source, "adopted_on", "2020-03-14", ON_2020)
    assert (
        "not one of this commitment's in_force_from claims"
        in (resolve(followed_claim=other)["followed_claim"][0])
    )
    assert not ClaimResolution.objects.exists()
