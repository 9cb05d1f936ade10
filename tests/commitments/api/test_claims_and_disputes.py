"""The API shows each commitment's claims, the facts its sources disagree on and how a
dispute was resolved; `?disputed=` and `?disputed_fact=` filter on them; the CSV carries them."""

from __future__ import annotations

import csv
import io

import pytest
from django.conf import settings

from commitments.services import claim_add, dispute_resolve
from tests.api_fixtures import problem_fields
from tests.factories import make_commitment, make_source

pytestmark = pytest.mark.django_db

LIST = "/api/v1/commitments/"
TEXT = "It took effect in 2015. It was adopted on March 14, 2020. A court of appeal settled it."
# Passages of tests.factories.SOURCE_TEXT long enough to be evidence (EVIDENCE_QUOTE_MIN_LENGTH).
QUOTE_2025 = "programme will run for 2025"
QUOTE_2027 = "will run for 2025-2027"


@pytest.fixture
def law(db):
    source = make_source(text=TEXT, title="Gazette")
    commitment = make_commitment(source=source, quote="It took effect in 2015.", reference="LAW")
    early = claim_add(
        commitment=commitment,
        fact="in_force_from",
        value="2015",
        source=source,
        quote="It took effect in 2015.",
    )
    late = claim_add(
        commitment=commitment,
        fact="in_force_from",
        value="on March 14, 2020",
        source=source,
        quote="It was adopted on March 14, 2020.",
        note="Read from the adoption date.",
    )
    return commitment, source, early, late


def _references(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["reference"] for item in response.json()["results"]]


def test_a_commitment_shows_its_claims_and_what_they_dispute(anon, law):
    commitment, source, _, late = law

    body = anon.get(f"{LIST}{commitment.pk}/").json()

    assert body["disputed_facts"] == ["in_force_from"]
    assert body["resolutions"] == []
    assert [
        (c["fact"], c["value"], c["first_day"], c["last_day"], c["note"]) for c in body["claims"]
    ] == [
        ("in_force_from", "2015", "2015-01-01", "2015-12-31", ""),
        ("in_force_from", "2020-03-14", "2020-03-14", "2020-03-14", "Read from the adoption date."),
    ]
    assert body["claims"][1]["citation"] == {
        "id": late.citation_id,
        "source": {
            "id": source.pk,
            "title": "Gazette",
            "publisher": source.publisher,
            "translation": {"language": "en", "origin": None, "fallback": []},
            "api_url": f"{settings.TRACKER_PUBLIC_URL.rstrip('/')}/api/v1/sources/{source.pk}/",
        },
        "quote": "It was adopted on March 14, 2020.",
    }


def test_a_resolution_keeps_both_claims_and_is_shown(anon, law, staff_user):
    commitment, source, early, late = law
    before = anon.get(f"{LIST}{commitment.pk}/")

    dispute_resolve(
        commitment=commitment,
        fact="in_force_from",
        followed_claim=late,
        note="The gazette's own date.",
        source=source,
        quote="A court of appeal settled it.",
        recorded_by=staff_user,
    )

    after = anon.get(f"{LIST}{commitment.pk}/")
    body = after.json()
    assert after["ETag"] != before["ETag"]
    assert [claim["id"] for claim in body["claims"]] == [early.pk, late.pk]
    assert body["disputed_facts"] == ["in_force_from"]
    [resolution] = body["resolutions"]
    assert resolution["fact"] == "in_force_from"
    assert resolution["followed_claim"] == late.pk
    assert resolution["note"] == "The gazette's own date."
    assert resolution["evidence"]["quote"] == "A court of appeal settled it."


def test_disputed_filters_keep_what_the_sources_disagree_on(anon, law):
    _, source, _, _ = law
    make_commitment(source=source, quote="A court of appeal settled it.", reference="CALM")

    assert _references(anon.get(LIST, {"disputed": "true"})) == ["LAW"]
    assert _references(anon.get(LIST, {"disputed": "false"})) == ["CALM"]
    assert _references(anon.get(LIST, {"disputed_fact": "in_force_from"})) == ["LAW"]
    assert _references(anon.get(LIST, {"disputed_fact": "adopted_on,budget"})) == []


@pytest.mark.parametrize(("name", "value"), [("disputed", "maybe"), ("disputed_fact", "colour")])
def test_a_bad_disputed_filter_is_a_400_naming_it(anon, law, name, value):
    response = anon.get(LIST, {name: value})

    assert response.status_code == 400
    assert name in problem_fields(response)


def test_drafts_never_leak_through_the_disputed_filter(anon, staff, law):
    _, source, _, _ = law
    draft = make_commitment(
        source=source, quote="It took effect in 2015.", reference="DRAFT", is_published=False
    )
    for value, quote in (("2015", "It took effect in 2015"), ("2020", "adopted on March 14, 2020")):
        claim_add(commitment=draft, fact="adopted_on", value=value, source=source, quote=quote)

    assert _references(anon.get(LIST, {"disputed": "true"})) == ["LAW"]
    assert _references(staff.get(LIST, {"disputed": "true"})) == ["LAW", "DRAFT"]


def test_a_page_with_claims_and_resolutions_is_still_one_query(
    anon, law, django_assert_num_queries
):
    with django_assert_num_queries(1):
        assert _references(anon.get(LIST, {"disputed": "true"})) == ["LAW"]


def test_the_csv_export_carries_claims_and_disputed_facts(anon, law):
    _, source, _, _ = law

    response = anon.get(LIST, {"format": "csv"})

    [row] = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert row["disputed_facts"] == "in_force_from"
    assert row["claims"] == (
        f"in_force_from=2015 (source {source.pk}); in_force_from=2020-03-14 (source {source.pk})"
    )
    assert row["resolutions"] == ""


# --- writes (staff) ---------------------------------------------------------------------------


def test_staff_record_a_claim_and_the_dispute_follows(staff, anon, source):
    commitment = make_commitment(source=source)
    url = f"{LIST}{commitment.pk}/claims/"
    first = {"fact": "deadline", "value": "2025", "source": source.pk, "quote": QUOTE_2025}

    created = staff.post(url, first, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["value"] == "2025"
    assert created["ETag"] == staff.get(f"{LIST}{commitment.pk}/")["ETag"]
    assert anon.get(f"{LIST}{commitment.pk}/").json()["disputed_facts"] == []

    second = staff.post(url, {**first, "value": "2027", "quote": QUOTE_2027}, format="json")
    assert second.status_code == 201
    assert anon.get(f"{LIST}{commitment.pk}/").json()["disputed_facts"] == ["deadline"]


def test_a_claim_whose_quote_is_not_in_the_source_is_a_400_and_writes_nothing(staff, anon, source):
    commitment = make_commitment(source=source)
    before = anon.get(f"{LIST}{commitment.pk}/")

    response = staff.post(
        f"{LIST}{commitment.pk}/claims/",
        {
            "fact": "deadline",
            "value": "2026",
            "source": source.pk,
            "quote": "the programme ends by 2026",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "does not occur in the source" in problem_fields(response)["quote"]
    after = anon.get(f"{LIST}{commitment.pk}/")
    assert after["ETag"] == before["ETag"] and after.json()["claims"] == []


def test_anonymous_and_reader_tokens_cannot_write_claims_or_resolutions(anon, reader, law):
    commitment, source, early, _ = law
    for client, status in ((anon, 401), (reader, 403)):
        claim = {"fact": "budget", "value": "1", "source": source.pk, "quote": "2015"}
        assert client.post(f"{LIST}{commitment.pk}/claims/", claim).status_code == status
        resolution = {
            "followed_claim": early.pk,
            "note": "n",
            "source": source.pk,
            "quote": "2015",
        }
        assert client.post(f"{LIST}{commitment.pk}/resolutions/", resolution).status_code == status
    assert anon.get(f"{LIST}{commitment.pk}/").json()["resolutions"] == []


def test_staff_resolve_a_dispute_with_its_evidence(staff, anon, law):
    commitment, source, early, late = law
    url = f"{LIST}{commitment.pk}/resolutions/"
    body = {
        "followed_claim": early.pk,
        "note": "",
        "source": source.pk,
        "quote": "court of appeal settled it",
    }

    refused = staff.post(url, body, format="json")
    assert refused.status_code == 400
    assert "note" in problem_fields(refused)

    created = staff.post(url, {**body, "note": "The court's reading."}, format="json")
    assert created.status_code == 201, created.content
    shown = anon.get(f"{LIST}{commitment.pk}/").json()
    assert [r["followed_claim"] for r in shown["resolutions"]] == [early.pk]
    assert [c["id"] for c in shown["claims"]] == [early.pk, late.pk]
