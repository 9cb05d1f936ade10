"""A programme's progress, derived from its published milestones in the query that reads it:
it follows a milestone's change at once, weighted, and moves the programme's ETag."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from commitments import progress
from commitments.services import commitment_record_status_change, commitment_update
from tests.factories import make_commitment

pytestmark = pytest.mark.django_db

QUOTE = "Officials said the programme was approved by the Cabinet."


@pytest.fixture
def programme(source):
    parent = make_commitment(source=source, reference="PROG", deadline="2027")
    make_commitment(source=source, reference="PROG-A", parent=parent, deadline="2025")
    make_commitment(source=source, reference="PROG-B", parent=parent, deadline="2026")
    make_commitment(source=source, reference="PROG-DRAFT", parent=parent, is_published=False)
    return parent


def url(commitment) -> str:
    return f"/api/v1/commitments/{commitment.pk}/"


def test_progress_follows_a_milestone_change_in_the_next_read_and_moves_the_etag(
    programme, staff, anon, source
):
    before = anon.get(url(programme))
    assert before.json()["progress"] == {
        "milestones": 2,  # the draft is not counted
        "weight": 2,
        "percent": 0,
        "by_status": {
            "proposed": 2,
            "adopted": 0,
            "in_progress": 0,
            "stalled": 0,
            "completed": 0,
            "partially_completed": 0,
            "abandoned": 0,
        },
    }
    milestone = programme.milestones.get(reference="PROG-A")

    recorded = staff.post(
        f"{url(milestone)}status-changes/",
        {"status": "completed", "effective_on": "2025-01-02", "source": source.pk, "quote": QUOTE},
        format="json",
    )
    assert recorded.status_code == 201, recorded.content
    after = anon.get(url(programme), HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200
    assert after.json()["progress"]["percent"] == 50
    assert after.json()["progress"]["by_status"]["completed"] == 1
    listed = anon.get("/api/v1/commitments/", {"parent": "PROG"})
    assert {c["reference"]: c["progress"] for c in listed.json()["results"]} == {
        "PROG-A": None,
        "PROG-B": None,
    }


def test_progress_is_weighted_and_a_partial_milestone_counts_half(programme, source):
    first = programme.milestones.get(reference="PROG-A")
    second = programme.milestones.get(reference="PROG-B")
    commitment_update(commitment=first, data={"progress_weight": 3})
    for milestone, status in ((first, "partially_completed"), (second, "completed")):
        commitment_record_status_change(
            commitment=milestone,
            status=status,
            effective_on=date(2025, 1, 2),
            source=source,
            quote=QUOTE,
        )

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {progress.FUNCTION}(%s)::text", [programme.pk])
        (text,) = cursor.fetchone()

    # (3 × 0.5 + 1 × 1) / 4
    assert '"percent": 62.5' in text and '"weight": 4' in text


def test_the_pages_and_the_timeline_show_the_meter(programme, anon, source):
    milestone = programme.milestones.get(reference="PROG-A")
    commitment_record_status_change(
        commitment=milestone,
        status="completed",
        effective_on=date(2025, 1, 2),
        source=source,
        quote=QUOTE,
    )

    page = anon.get("/en/commitments/PROG/").content.decode()
    timeline = anon.get("/en/timeline/").content.decode()
    listed = anon.get("/en/commitments/").content.decode()

    for html in (page, timeline, listed):
        assert '<meter min="0" max="100" value="50.0"' in html
        assert "50% done of 2 milestones" in html


def test_the_database_function_is_the_one_commitments_progress_defines():
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [progress.FUNCTION])
        (source_text,) = cursor.fetchone()

    defined = progress.function_sql().split("$$")[1]
    assert " ".join(source_text.split()) == " ".join(defined.split())
