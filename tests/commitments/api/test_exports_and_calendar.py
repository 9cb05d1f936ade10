"""CSV exports stream every matching row; the deadline calendar is valid iCalendar."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from icalendar import Calendar

from commitments.services import commitment_record_status_change
from tests.api_fixtures import problem_fields
from tests.factories import make_actor, make_commitment

pytestmark = pytest.mark.django_db

LIST = "/api/v1/commitments/"
ICS = "/api/v1/deadlines.ics"


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))


def test_csv_streams_every_matching_row_not_one_page(anon, source):
    for number in range(60):
        make_commitment(source=source, reference=f"C-{number:03}", status="proposed")
    make_commitment(source=source, reference="DONE", status="completed")

    response = anon.get(LIST, {"format": "csv", "status": "proposed", "page_size": 10})
    assert response.streaming  # rows are written as they are read, not built in memory
    rows = csv_rows(response)
    assert len(rows) == 60
    assert {row["status"] for row in rows} == {"proposed"}


def test_csv_columns_are_flat_and_utf8(anon, source):
    actor = make_actor(slug="turkiye", name="Türkiye")
    make_commitment(
        source=source,
        reference="TR-1",
        title="Türkiye: digital “gateway” ✓",
        deadline="in November 2024",
        tags=["connectivity", "it-services"],
        parties=[(actor, "partner")],
    )
    (row,) = csv_rows(anon.get(LIST, {"format": "csv"}))
    assert row["title"] == "Türkiye: digital “gateway” ✓"
    assert row["deadline_last_day"] == "2024-11-30"
    assert row["tags"] == "connectivity; it-services"
    assert row["parties"] == "turkiye (partner)"
    assert row["source_ids"] == str(source.pk)
    assert row["is_published"] == "true"


def test_csv_follows_the_ordering(anon, source):
    for reference, title in [("A", "Zebra"), ("B", "Apple")]:
        make_commitment(source=source, reference=reference, title=title)
    rows = csv_rows(anon.get(LIST, {"format": "csv", "ordering": "title"}))
    assert [row["reference"] for row in rows] == ["B", "A"]


def test_a_bad_filter_on_a_csv_export_is_a_problem_in_json(anon):
    response = anon.get(LIST, {"format": "csv", "status": "nope"})
    assert response.status_code == 400
    assert "status" in problem_fields(response)


def test_sources_and_actors_export_csv_too(anon, source):
    make_actor(slug="osce")
    assert [r["slug"] for r in csv_rows(anon.get("/api/v1/actors/", {"format": "csv"}))] == ["osce"]
    (row,) = csv_rows(anon.get("/api/v1/sources/", {"format": "csv"}))
    assert row["text_sha256"] == source.text_sha256
    assert "text" not in row


# --- the deadline calendar --------------------------------------------------------------------


def calendar(response) -> Calendar:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(b"".join(response.streaming_content))


def test_the_calendar_has_one_todo_per_commitment_with_a_deadline_due_on_its_last_day(anon, source):
    make_commitment(source=source, reference="FORUM", deadline="in November 2024")
    make_commitment(source=source, reference="DAY", deadline="2025-03-14")
    make_commitment(source=source, reference="NONE")

    parsed = calendar(anon.get(ICS))
    assert parsed["VERSION"] == "2.0"
    assert parsed["PRODID"]
    todos = {todo["SUMMARY"].split(":")[0]: todo for todo in parsed.walk("VTODO")}
    assert set(todos) == {"FORUM", "DAY"}
    assert todos["FORUM"].decoded("DUE") == date(2024, 11, 30)
    assert todos["FORUM"].decoded("DTSTART") == date(2024, 11, 1)
    # RFC 5545: DTSTART must be before DUE; a one-day deadline has only its DUE.
    assert todos["DAY"].decoded("DUE") == date(2025, 3, 14)
    assert "DTSTART" not in todos["DAY"]
    assert todos["FORUM"]["UID"] != todos["DAY"]["UID"]
    # The commitment's public page: a calendar is read by people.
    assert str(todos["FORUM"]["URL"]).startswith("http://testserver/commitments/")


@pytest.mark.parametrize(
    ("status", "expected"),
    [("in_progress", "IN-PROCESS"), ("completed", "COMPLETED"), ("abandoned", "CANCELLED")],
)
def test_the_calendar_maps_statuses_as_published(status, expected, anon, source):
    commitment = make_commitment(source=source, deadline="2025")
    commitment_record_status_change(
        commitment=commitment,
        status=status,
        effective_on=date(2025, 1, 2),
        source=source,
        quote="approved by the Cabinet",
    )
    (todo,) = calendar(anon.get(ICS)).walk("VTODO")
    assert todo["STATUS"] == expected


def test_a_proposed_commitment_needs_action(anon, source):
    make_commitment(source=source, deadline="2025")
    (todo,) = calendar(anon.get(ICS)).walk("VTODO")
    assert todo["STATUS"] == "NEEDS-ACTION"


def test_the_calendar_takes_the_commitment_filters(anon, source):
    make_commitment(source=source, reference="CYBER", deadline="2026", tags=["cybersecurity"])
    make_commitment(source=source, reference="OTHER", deadline="2026")
    (todo,) = calendar(anon.get(ICS, {"tag": "cybersecurity"})).walk("VTODO")
    assert todo["SUMMARY"].startswith("CYBER:")


def test_a_bad_filter_on_the_calendar_is_a_400_problem(anon):
    response = anon.get(ICS, {"due_before": "tomorrow"})
    assert response.status_code == 400
    assert "due_before" in problem_fields(response)


def test_the_seed_calendar_parses_back(anon, seeded):
    todos = calendar(anon.get(ICS)).walk("VTODO")
    assert len(todos) == 6
