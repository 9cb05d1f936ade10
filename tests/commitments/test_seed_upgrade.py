"""`load_seed_data` on a database the first release's dataset loaded: brought up to date
with the current dataset, without duplicates, and without overwriting what staff edited."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from commitments.choices import Status
from commitments.claims import claim_value_parse
from commitments.models import Actor, Citation, Claim, Commitment, Party, StatusChange
from commitments.seed_data import seed_data_load
from commitments.services import commitment_record_status_change, commitment_update
from sources.models import Source
from tests.commitments.test_seed_data import DATASET, _row_counts, fold

pytestmark = pytest.mark.django_db

PREVIOUS = Path(__file__).resolve().parent / "seed_previous"


def _load() -> str:
    out = StringIO()
    call_command("load_seed_data", stdout=out)
    return out.getvalue()


def _as_in_the_dataset() -> dict:
    """What the current dataset says of each commitment, in the database's terms."""
    sources = {s["key"]: s["title"] for s in DATASET["sources"]}
    expected = {}
    for item in DATASET["commitments"]:
        quotes = [*item["citations"], *(item.get("claims") or [])]
        expected[item["reference"]] = {
            "status": item["status"],
            "title": item["title"],
            "description": item["description"],
            "parent": item.get("parent"),
            "announced_on": item.get("announced_on"),
            "parties": {(p["actor"], p["role"]) for p in item["parties"]},
            "citations": {(sources[c["source"]], fold(c["quote"])) for c in quotes},
            "claims": {
                (
                    c["fact"],
                    claim_value_parse(fact=c["fact"], value=str(c["value"])).value,
                    sources[c["source"]],
                    fold(c["quote"]),
                )
                for c in item.get("claims") or []
            },
        }
    return expected


def _as_in_the_database() -> dict:
    found = {}
    for commitment in Commitment.objects.select_related("parent"):
        found[commitment.reference] = {
            "status": commitment.status,
            "title": commitment.title,
            "description": commitment.description,
            "parent": commitment.parent.reference if commitment.parent else None,
            "announced_on": commitment.announced_on.isoformat()
            if commitment.announced_on
            else None,
            "parties": set(commitment.parties.values_list("actor__slug", "role")),
            "citations": set(commitment.citations.values_list("source__title", "quote")),
            "claims": set(
                commitment.claims.values_list(
                    "fact", "value", "citation__source__title", "citation__quote"
                )
            ),
        }
    return found


@pytest.fixture
def previous(db):
    """A database the first release's dataset loaded."""
    seed_data_load(directory=PREVIOUS)
    assert Commitment.objects.get(reference="OTS-2022-06").status == Status.COMPLETED
    assert not Commitment.objects.filter(reference="PK-TM-2022-WG").exists()


def test_a_fresh_load_is_the_dataset():
    _load()

    assert _as_in_the_database() == _as_in_the_dataset()


def test_an_upgraded_database_is_the_dataset_without_duplicates(previous):
    output = _load()

    assert _as_in_the_database() == _as_in_the_dataset()
    assert "commitments: 1 created, 27 already there" in output
    assert "commitment OTS-2022-06: status adopted (a status change)" in output
    assert Actor.objects.count() == len(DATASET["actors"])
    assert Source.objects.count() == len(DATASET["sources"])
    assert Actor.objects.get(slug="un-counter-terrorism-office").name == (
        "United Nations Office of Counter-Terrorism"
    )
    assert Source.objects.filter(
        publisher="Central Commission for Holding Elections and Referendums in Turkmenistan"
    ).exists()
    annotated = Citation.objects.get(
        commitment__reference="PK-TM-2022-02", quote__startswith="Among the promising areas"
    )
    assert "cooperation in general" in annotated.note


def test_the_memorandums_correction_is_a_status_change_with_its_evidence(previous):
    _load()

    change = StatusChange.objects.get(commitment__reference="OTS-2022-06")
    assert (change.old_status, change.new_status) == (Status.COMPLETED, Status.ADOPTED)
    assert change.evidence.quote == "The ministers signed a memorandum on the issues discussed."
    assert change.effective_on == dt.date(2022, 10, 27)  # as of the article's date
    assert change.note.startswith("The seed dataset corrected.")


def test_loading_the_upgraded_database_again_changes_nothing(previous):
    _load()
    counts = _row_counts()
    versions = dict(Commitment.objects.values_list("reference", "version"))

    output = _load()

    assert _row_counts() == counts
    assert dict(Commitment.objects.values_list("reference", "version")) == versions
    assert "brought up to date: 0" in output


def test_what_staff_edited_is_left_as_they_left_it(previous, staff_user):
    memorandum = Commitment.objects.get(reference="OTS-2022-06")
    source = memorandum.citations.get().source
    commitment_record_status_change(
        commitment=memorandum,
        status=Status.IN_PROGRESS,
        effective_on=dt.date(2023, 1, 10),
        source=source,
        quote="The ministers signed a memorandum on the issues discussed.",
        recorded_by=staff_user,
    )
    freelancers = Commitment.objects.get(reference="PK-TM-2022-02")
    commitment_update(
        commitment=freelancers,
        data={"description": "Staff's own words.", "announced_on": None},
        updated_by=staff_user,
    )
    commitment_update(
        commitment=freelancers, parties=[], data={}, updated_by=staff_user
    )  # staff removed every party

    _load()

    memorandum.refresh_from_db()
    freelancers.refresh_from_db()
    assert memorandum.status == Status.IN_PROGRESS
    assert StatusChange.objects.filter(commitment=memorandum).count() == 1
    assert freelancers.description == "Staff's own words."
    assert freelancers.announced_on is None
    assert freelancers.parent.reference == "PK-TM-2022-WG"  # not edited: follows the file
    assert not Party.objects.filter(commitment=freelancers).exists()
    assert Claim.objects.filter(commitment__reference="TM-LAW-EDOC").count() == 4
