"""The seed dataset read as a careful researcher would: every status other than `proposed`
rests on a quote that carries it, the sources' disagreement is data, and nothing is in
dispute that the articles do not put in dispute."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from commitments.choices import Status
from commitments.models import Claim, Commitment, StatusChange
from commitments.seed_data import SEED_DIR
from tests.commitments.test_seed_data import DATASET, fold

pytestmark = pytest.mark.django_db

LIST = "/api/v1/commitments/"

# The words that carry each status in these articles. A status claim's quote must use one of
# its status's words: a quote that only describes the subject cannot back a status.
STATUS_WORDS = {
    Status.ADOPTED: (
        r"\bapproved\b|\bsigned\b|to be held|sets clear, precise goals|working group is"
    ),
    Status.IN_PROGRESS: r"is carried out|effective work|pursues|will continue|constantly studying",
    Status.COMPLETED: r"put into effect|entered into force|was installed|were also created",
}


def _claims(item: dict) -> list[dict]:
    return item.get("claims") or []


@pytest.mark.parametrize(
    "item",
    [c for c in DATASET["commitments"] if c["status"] != Status.PROPOSED],
    ids=[c["reference"] for c in DATASET["commitments"] if c["status"] != Status.PROPOSED],
)
def test_every_status_beyond_proposed_has_a_status_claim_whose_quote_carries_it(item):
    backing = [
        *(c for c in _claims(item) if c["fact"] == "status" and c["value"] == item["status"]),
        *(c for c in item.get("status_changes") or [] if c["status"] == item["status"]),
    ]
    assert backing, f"{item['reference']} is {item['status']} with no quote saying so"
    for claim in backing:
        assert re.search(STATUS_WORDS[item["status"]], claim["quote"]), claim["quote"]


def test_every_claim_in_the_dataset_quotes_one_of_its_commitments_citations_verbatim():
    files = {source["key"]: source["file"] for source in DATASET["sources"]}
    for item in DATASET["commitments"]:
        cited = {(c["source"], fold(c["quote"])) for c in item["citations"]}
        for claim in _claims(item):
            article = (SEED_DIR / "articles" / files[claim["source"]]).read_text(encoding="utf-8")
            assert fold(claim["quote"]) in fold(article), claim["quote"]
            assert (claim["source"], fold(claim["quote"])) in cited, claim["quote"]


def test_every_loaded_status_rests_on_a_status_claim_or_change_of_that_status(seeded):
    for commitment in Commitment.objects.exclude(status=Status.PROPOSED):
        claims = Claim.objects.filter(commitment=commitment, fact="status", value=commitment.status)
        changes = StatusChange.objects.filter(commitment=commitment, new_status=commitment.status)
        quotes = [c.citation.quote for c in claims] + [c.evidence.quote for c in changes]
        assert quotes, commitment.reference
        assert all(re.search(STATUS_WORDS[commitment.status], quote) for quote in quotes)


def test_on_the_seed_data_only_the_electronic_documents_law_is_disputed(seeded):
    anon = APIClient()
    response = anon.get(LIST, {"disputed": "true"})

    assert response.status_code == 200
    [law] = response.json()["results"]
    assert law["reference"] == "TM-LAW-EDOC"
    assert law["disputed_facts"] == ["in_force_from"]
    in_force = {
        claim["citation"]["source"]["publisher"]: claim["value"]
        for claim in law["claims"]
        if claim["fact"] == "in_force_from"
    }
    assert in_force == {
        "ORIENT": "2015",
        "Central Commission for Holding Elections and Referendums in Turkmenistan": "2020-03-14/..",
    }
    assert {(c["fact"], c["value"]) for c in law["claims"]} >= {("adopted_on", "2020-03-14")}
    assert all(citation["note"] for citation in law["citations"])
    assert anon.get("/api/v1/stats/").json()["disputed"] == 1


def test_sources_that_agree_are_not_a_dispute(seeded):
    for reference in ("TM-DE-PROG-2021", "TM-DE-CONCEPT-2019"):
        commitment = Commitment.objects.get(reference=reference)
        deadlines = commitment.claims.filter(fact="deadline")
        assert deadlines.values("citation__source").distinct().count() == 2
        assert set(deadlines.values_list("value", flat=True)) == {commitment.deadline_edtf}
        assert commitment.disputed_facts == []


def test_the_memorandum_is_adopted_not_completed(seeded):
    memorandum = Commitment.objects.get(reference="OTS-2022-06")

    assert memorandum.status == Status.ADOPTED
    assert memorandum.claims.get(fact="status").citation.quote == (
        "The ministers signed a memorandum on the issues discussed."
    )


def test_the_pakistani_turkmen_working_group_exists_with_its_parties_citation_and_milestones(
    seeded,
):
    group = Commitment.objects.get(reference="PK-TM-2022-WG")

    assert set(group.parties.values_list("actor__slug", "role")) == {
        ("pakistan", "partner"),
        ("turkmenistan", "partner"),
    }
    assert group.citations.filter(
        quote__startswith="The joint Pakistani-Turkmen working group is of vital importance"
    ).exists()
    assert set(group.milestones.values_list("reference", flat=True)) == {
        "PK-TM-2022-01",
        "PK-TM-2022-02",
        "PK-TM-2022-03",
    }


def test_no_announcement_date_is_an_articles_publication_date(seeded):
    # Article 001 does not date the meeting; its own date is the source's, not the items'.
    assert not Commitment.objects.filter(
        reference__startswith="OTS-2022-", announced_on__isnull=False
    ).exists()


def test_the_election_commissions_website_is_cited(seeded):
    commitment = Commitment.objects.get(reference="TM-CEC-02")

    assert "saylav.gov.tm" in commitment.description
    assert commitment.citations.filter(quote__contains="saylav.gov.tm").exists()
