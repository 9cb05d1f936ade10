"""Why a commitment stalled or was abandoned: each reason with its required fields, and the
reason queryable, counted, and in the CSV and the feeds."""

from __future__ import annotations

import csv
import io

import feedparser
import pytest

from accounts.services import api_token_create
from commitments.choices import REASON_MAPPINGS, StatusReason
from tests.api_fixtures import client_with_token
from tests.factories import make_commitment, make_user

pytestmark = pytest.mark.django_db

QUOTE = "Officials said the programme was approved by the Cabinet."


def change(staff, commitment, source, **body):
    return staff.post(
        f"/api/v1/commitments/{commitment.pk}/status-changes/",
        {"effective_on": "2025-01-02", "source": source.pk, "quote": QUOTE, **body},
        format="json",
    )


def fields(response) -> set[str]:
    assert response.status_code == 400, response.content
    return {error["field"] for error in response.json()["errors"]}


@pytest.mark.parametrize("status", ["stalled", "abandoned"])
def test_a_stalled_or_abandoned_commitment_says_why(staff, commitment, source, status):
    assert fields(change(staff, commitment, source, status=status)) == {"reason"}
    assert fields(change(staff, commitment, source, status=status, reason="why-not")) == {"reason"}
    commitment.refresh_from_db()
    assert (commitment.status, commitment.status_reason) == ("proposed", "")


def test_only_stalled_and_abandoned_carry_a_reason(staff, commitment, source):
    refused = change(staff, commitment, source, status="in_progress", reason="blocked")

    assert fields(refused) == {"reason"}
    assert "stalled or abandoned" in refused.json()["errors"][0]["message"]


@pytest.mark.parametrize("reason", [r for r, m in REASON_MAPPINGS.items() if m.needs_related])
def test_superseded_and_merged_name_the_other_commitment_and_only_they_do(
    staff, commitment, source, reason
):
    other = make_commitment(source=source, reference=f"NEW-{reason}")

    missing = change(staff, commitment, source, status="abandoned", reason=reason)
    itself = change(
        staff, commitment, source, status="abandoned", reason=reason, replaced_by=commitment.pk
    )
    not_for_dropped = change(
        staff, commitment, source, status="abandoned", reason="dropped", replaced_by=other.pk
    )
    assert fields(missing) == fields(itself) == fields(not_for_dropped) == {"replaced_by"}

    accepted = change(
        staff, commitment, source, status="abandoned", reason=reason, replaced_by=other.pk
    )

    assert accepted.status_code == 201, accepted.content
    entry = accepted.json()
    assert (entry["status_reason"], entry["replaced_by"]) == (reason, other.pk)
    body = staff.get(f"/api/v1/commitments/{commitment.pk}/").json()
    assert (body["status_reason"], body["replaced_by"]) == (reason, other.pk)


def test_other_is_explained_in_the_note(staff, commitment, source):
    assert fields(change(staff, commitment, source, status="stalled", reason="other")) == {"note"}

    accepted = change(
        staff, commitment, source, status="stalled", reason="other", note="Funding ran out."
    )

    assert accepted.status_code == 201, accepted.content


def test_a_reason_clears_when_the_commitment_moves_on(staff, commitment, source):
    assert change(staff, commitment, source, status="stalled", reason="blocked").status_code == 201

    assert change(staff, commitment, source, status="in_progress").status_code == 201

    commitment.refresh_from_db()
    assert (commitment.status, commitment.status_reason, commitment.replaced_by) == (
        "in_progress",
        "",
        None,
    )


def test_the_reason_is_queryable_counted_exported_and_in_the_feeds(staff, anon, commitment, source):
    other = make_commitment(source=source, reference="STILL-OPEN")
    assert (
        change(staff, commitment, source, status="abandoned", reason="dropped").status_code == 201
    )

    def refs(**params):
        return [c["reference"] for c in anon.get("/api/v1/commitments/", params).json()["results"]]

    assert refs(reason="dropped") == [commitment.reference]
    assert refs(reason="blocked,no_evidence") == []
    assert other.reference not in refs(reason="dropped")
    assert anon.get("/api/v1/commitments/", {"reason": "lost"}).status_code == 400
    stats = anon.get("/api/v1/stats/").json()
    assert stats["by_reason"] == {r: int(r == "dropped") for r in StatusReason.values}
    (row,) = [
        r
        for r in csv.DictReader(
            io.StringIO(
                b"".join(
                    anon.get("/api/v1/commitments/", {"format": "csv"}).streaming_content
                ).decode()
            )
        )
        if r["reference"] == commitment.reference
    ]
    assert (row["status"], row["status_reason"]) == ("abandoned", "dropped")

    reader = client_with_token(api_token_create(user=make_user(), name="r").key)
    feed = feedparser.parse(reader.get("/api/v1/alerts.atom").content)
    (entry,) = [e for e in feed.entries if "abandoned" in e.title]
    assert entry.summary.endswith("Reason: Dropped by the government.")
    (alert,) = reader.get("/api/v1/alerts/", {"kind": "status_changed"}).json()["results"]
    assert alert["status_change"]["reason"] == "dropped"
    page = anon.get("/en/").content.decode()
    assert "Dropped by the government" in page
    vocabulary = anon.get("/api/v1/reasons/").json()
    assert [r["value"] for r in vocabulary] == list(StatusReason.values)
