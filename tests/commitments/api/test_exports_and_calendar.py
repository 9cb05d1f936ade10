"""CSV exports stream every matching row; the deadline calendar is valid iCalendar."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from icalendar import Calendar

from commitments.models import Commitment
from commitments.services import commitment_record_status_change, commitment_update
from tests.api_fixtures import problem_fields
from tests.factories import make_actor, make_commitment, make_source

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


@pytest.mark.parametrize("path", [LIST, "/api/v1/sources/", "/api/v1/actors/"])
@pytest.mark.parametrize(
    ("query", "name"),
    [
        ({"page_size": "-417"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "201"}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
        ({"count": "maybe"}, "count"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_a_csv_export_refuses_the_list_parameters_the_json_list_refuses(path, query, name, anon):
    as_json = anon.get(path, query)
    as_csv = anon.get(path, {**query, "format": "csv"})
    assert as_json.status_code == as_csv.status_code == 400
    assert problem_fields(as_csv) == problem_fields(as_json)
    assert name in problem_fields(as_csv)


def test_a_csv_export_checks_page_size_cursor_and_count_but_streams_every_row(anon, source):
    for number in range(3):
        make_commitment(source=source, reference=f"C-{number}")
    next_link = anon.get(LIST, {"page_size": 1}).json()["next"]
    (cursor,) = parse_qs(urlsplit(next_link).query)["cursor"]

    rows = csv_rows(anon.get(LIST, {"format": "csv", "page_size": 1, "count": "true"}))
    assert len(rows) == 3
    assert len(csv_rows(anon.get(LIST, {"format": "csv", "cursor": cursor}))) == 3


def test_sources_and_actors_export_csv_too(anon, source):
    make_actor(slug="osce")
    assert [r["slug"] for r in csv_rows(anon.get("/api/v1/actors/", {"format": "csv"}))] == ["osce"]
    (row,) = csv_rows(anon.get("/api/v1/sources/", {"format": "csv"}))
    assert row["text_sha256"] == source.text_sha256
    assert "text" not in row


def raw_csv(response) -> bytes:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return b"".join(response.streaming_content)


def test_the_byte_order_mark_is_there_only_when_asked_for(anon, source):
    make_commitment(source=source, reference="TR-1")
    assert raw_csv(anon.get(LIST, {"format": "csv"})).startswith(b"id,")
    assert raw_csv(anon.get(LIST, {"format": "csv", "bom": "false"})).startswith(b"id,")
    assert raw_csv(anon.get(LIST, {"format": "csv", "bom": "true"})).startswith(b"\xef\xbb\xbfid,")
    assert anon.get(LIST, {"bom": "true"}).status_code == 200  # a JSON answer has none to add
    # Every CSV export takes it.
    assert raw_csv(anon.get("/api/v1/sources/", {"format": "csv", "bom": "true"})).startswith(
        b"\xef\xbb\xbf"
    )


TITLE_WITH_AN_EN_DASH = "Türkiye \u2013 Turkmenistan: digital “gateway” ✓"


def test_with_the_byte_order_mark_text_round_trips_as_utf8(anon, source):
    actor = make_actor(slug="turkiye", name="Türkiye")
    make_commitment(
        source=source,
        reference="TR-1",
        title=TITLE_WITH_AN_EN_DASH,
        parties=[(actor, "partner")],
    )
    text = raw_csv(anon.get(LIST, {"format": "csv", "bom": "true"})).decode("utf-8-sig")
    (row,) = csv.DictReader(io.StringIO(text))
    assert next(iter(row)) == "id"  # the mark is not part of the first header
    assert row["title"] == TITLE_WITH_AN_EN_DASH
    actors = raw_csv(anon.get("/api/v1/actors/", {"format": "csv", "bom": "true"}))
    assert "Türkiye" in actors.decode("utf-8-sig")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"format": "csv", "bom": "maybe"}, "'maybe' is not a boolean"),
        ({"format": "csv", "bom": ""}, ""),
        ({"bom": "maybe"}, "'maybe' is not a boolean"),  # checked on JSON answers too
    ],
)
def test_a_bad_bom_is_a_400_naming_it(query, message, anon):
    response = anon.get(LIST, query)
    assert response.status_code == 400
    assert message in problem_fields(response)["bom"]


def _two_status_changes(commitment, first_source, second_source) -> None:
    commitment_record_status_change(
        commitment=commitment,
        status="adopted",
        effective_on=date(2025, 1, 2),
        source=first_source,
        quote="approved by the Cabinet",
    )
    commitment_record_status_change(
        commitment=commitment,
        status="in_progress",
        effective_on=date(2025, 3, 4),
        source=second_source,
        quote="It also proposed to hold a regional forum in Ashgabat in November 2024.",
    )


def test_the_csv_has_the_current_statuses_evidence_and_date(anon, source):
    other = make_source(title="Another report")
    changed = make_commitment(source=source, reference="CHANGED")
    _two_status_changes(changed, source, other)
    make_commitment(source=source, reference="AS-CREATED", status="adopted")

    rows = {row["reference"]: row for row in csv_rows(anon.get(LIST, {"format": "csv"}))}
    columns = list(rows["CHANGED"])
    assert columns[columns.index("status") + 1 :][:3] == [
        "status_changed_on",
        "status_source_id",
        "status_quote",
    ]
    # The second change set the current status: its date, source and quote.
    assert rows["CHANGED"]["status"] == "in_progress"
    assert rows["CHANGED"]["status_changed_on"] == "2025-03-04"
    assert rows["CHANGED"]["status_source_id"] == str(other.pk)
    assert rows["CHANGED"]["status_quote"] == (
        "It also proposed to hold a regional forum in Ashgabat in November 2024."
    )
    # A status the commitment was created with has no change behind it.
    created = rows["AS-CREATED"]
    assert (created["status_changed_on"], created["status_source_id"], created["status_quote"]) == (
        "",
        "",
        "",
    )


@pytest.mark.parametrize("count", [2, 6])
def test_the_csv_export_takes_the_same_queries_however_many_rows(
    count, anon, source, django_assert_num_queries
):
    other = make_source()
    for number in range(count):
        commitment = make_commitment(source=source, reference=f"C-{number}")
        _two_status_changes(commitment, source, other)
    with django_assert_num_queries(1):  # rows, parties, sources, claims, status: one SELECT
        rows = csv_rows(anon.get(LIST, {"format": "csv"}))
    assert len(rows) == count
    assert {row["status_source_id"] for row in rows} == {str(other.pk)}


# --- the deadline calendar --------------------------------------------------------------------


def calendar(response) -> Calendar:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(b"".join(response.streaming_content))


def events_by_reference(response, component: str = "VEVENT") -> dict:
    return {item["SUMMARY"].split(":")[0]: item for item in calendar(response).walk(component)}


def test_every_published_deadline_is_one_all_day_event_on_its_last_day(anon, source, settings):
    make_commitment(source=source, reference="FORUM", deadline="in November 2024")
    make_commitment(source=source, reference="DAY", deadline="2025-03-14")
    make_commitment(source=source, reference="NONE")
    make_commitment(source=source, reference="DRAFT", deadline="2025", is_published=False)

    response = anon.get(ICS)
    parsed = calendar(response)
    assert parsed["VERSION"] == "2.0"
    assert parsed["PRODID"]
    assert not parsed.walk("VTODO")
    events = events_by_reference(anon.get(ICS))
    assert set(events) == {"FORUM", "DAY"}
    forum = events["FORUM"]
    assert forum.decoded("DTSTART") == date(2024, 11, 30)  # a DATE: an all-day event
    assert forum.decoded("DTEND") == date(2024, 12, 1)
    assert forum["DTSTART"].params["VALUE"] == "DATE"
    assert forum["TRANSP"] == "TRANSPARENT"  # a deadline never makes the subscriber busy
    assert "in November 2024 (2024-11-01 to 2024-11-30)" in forum["DESCRIPTION"]
    assert events["DAY"].decoded("DTSTART") == date(2025, 3, 14)
    assert forum["UID"] != events["DAY"]["UID"]
    # The commitment's public page: a calendar is read by people.
    assert str(forum["URL"]) == f"{settings.TRACKER_PUBLIC_URL.rstrip('/')}/en/commitments/FORUM/"


def test_subscribers_are_asked_to_refresh_hourly(anon, source):
    make_commitment(source=source, deadline="2025")
    text = b"".join(anon.get(ICS).streaming_content).decode()
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in text
    assert "X-PUBLISHED-TTL:PT1H\r\n" in text
    assert "X-WR-CALNAME:Commitment deadlines\r\n" in text


def test_the_seed_calendar_has_one_event_per_published_commitment_with_a_deadline(
    anon, seeded, source
):
    make_commitment(source=source, reference="SECRET", deadline="2026", is_published=False)
    expected = set(
        Commitment.objects.filter(is_published=True, deadline_last_day__isnull=False).values_list(
            "pk", flat=True
        )
    )
    assert len(expected) >= 5  # the control: the seed has deadlines to list

    events = calendar(anon.get(ICS)).walk("VEVENT")
    uids = [str(event["UID"]) for event in events]
    assert len(uids) == len(set(uids)) == len(expected)
    assert set(uids) == {f"commitment-{pk}@commitment-tracker.invalid" for pk in expected}


def test_uids_do_not_depend_on_the_host_name(anon, source, settings):
    make_commitment(source=source, deadline="in November 2024")
    make_commitment(source=source, deadline="2026")
    assert {"testserver", "localhost"} <= set(settings.ALLOWED_HOSTS)

    def uids(host: str) -> list[str]:
        return [str(e["UID"]) for e in calendar(anon.get(ICS, HTTP_HOST=host)).walk("VEVENT")]

    assert uids("testserver") == uids("localhost")
    assert all(uid.endswith("@commitment-tracker.invalid") for uid in uids("localhost"))
    settings.TRACKER_CALENDAR_UID_DOMAIN = "tracker.example.org"
    assert all(uid.endswith("@tracker.example.org") for uid in uids("localhost"))


def test_the_calendar_is_the_same_body_and_etag_whatever_the_host_header(anon, source, settings):
    """Its links are on TRACKER_PUBLIC_URL (common.links): a Host header changes nothing."""
    settings.TRACKER_PUBLIC_URL = "https://tracker.example.org/"
    make_commitment(source=source, reference="FORUM", deadline="in November 2024")
    assert {"testserver", "localhost"} <= set(settings.ALLOWED_HOSTS)

    under = [anon.get(ICS, HTTP_HOST=host) for host in ("testserver", "localhost")]
    bodies = [b"".join(response.streaming_content) for response in under]

    assert bodies[0] == bodies[1]
    assert under[0]["ETag"] == under[1]["ETag"]
    (event,) = Calendar.from_ical(bodies[1]).walk("VEVENT")
    assert str(event["URL"]) == "https://tracker.example.org/en/commitments/FORUM/"
    assert b"localhost" not in bodies[1] and b"testserver" not in bodies[1]
    # The public address is in the ETag: a new one is a new body.
    settings.TRACKER_PUBLIC_URL = "https://elsewhere.example.org"
    assert anon.get(ICS, HTTP_IF_NONE_MATCH=under[0]["ETag"]).status_code == 200


def test_a_second_fetch_with_the_etag_is_a_304_until_something_listed_changes(anon, source):
    commitment = make_commitment(source=source, deadline="2025")
    first = anon.get(ICS)
    calendar(first)
    etag = first["ETag"]
    assert first["Last-Modified"]

    again = anon.get(ICS, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert again.content == b""
    # Another view of the same rows is another body.
    assert anon.get(ICS, {"component": "todo"}, HTTP_IF_NONE_MATCH=etag).status_code == 200

    commitment_record_status_change(
        commitment=commitment,
        status="in_progress",
        effective_on=date(2025, 1, 2),
        source=source,
        quote="approved by the Cabinet",
    )
    changed = anon.get(ICS, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    # A commitment leaving the calendar changes it too.
    etag = changed["ETag"]
    make_commitment(source=source, deadline="2026", is_published=False)
    assert anon.get(ICS, HTTP_IF_NONE_MATCH=etag).status_code == 304
    commitment_update(commitment=commitment, data={"is_published": False})
    assert anon.get(ICS, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_todos_on_request_are_due_on_the_last_day(anon, source):
    make_commitment(source=source, reference="FORUM", deadline="in November 2024")
    make_commitment(source=source, reference="DAY", deadline="2025-03-14")

    response = anon.get(ICS, {"component": "todo"})
    assert not calendar(response).walk("VEVENT")
    todos = events_by_reference(anon.get(ICS, {"component": "todo"}), "VTODO")
    assert todos["FORUM"].decoded("DUE") == date(2024, 11, 30)
    assert todos["FORUM"].decoded("DTSTART") == date(2024, 11, 1)
    # RFC 5545: DTSTART must be before DUE; a one-day deadline has only its DUE.
    assert todos["DAY"].decoded("DUE") == date(2025, 3, 14)
    assert "DTSTART" not in todos["DAY"]
    events = events_by_reference(anon.get(ICS))
    assert todos["FORUM"]["UID"] == events["FORUM"]["UID"]


@pytest.mark.parametrize("value", ["vevent", "TODO", "journal"])
def test_an_unknown_component_is_a_400_naming_it_and_the_choices(value, anon):
    response = anon.get(ICS, {"component": value})
    assert response.status_code == 400
    assert "event, todo" in problem_fields(response)["component"]


def test_an_empty_component_is_a_400_naming_it(anon):
    response = anon.get(ICS, {"component": ""})
    assert response.status_code == 400
    assert "component" in problem_fields(response)


@pytest.mark.parametrize(
    ("status", "todo_status", "event_status"),
    [
        ("in_progress", "IN-PROCESS", "CONFIRMED"),
        ("completed", "COMPLETED", "CONFIRMED"),
        ("abandoned", "CANCELLED", "CANCELLED"),
    ],
)
def test_the_calendar_maps_statuses_as_published(status, todo_status, event_status, anon, source):
    commitment = make_commitment(source=source, deadline="2025")
    commitment_record_status_change(
        commitment=commitment,
        status=status,
        effective_on=date(2025, 1, 2),
        source=source,
        quote="approved by the Cabinet",
        reason="dropped" if status == "abandoned" else "",
    )
    (todo,) = calendar(anon.get(ICS, {"component": "todo"})).walk("VTODO")
    assert todo["STATUS"] == todo_status
    (event,) = calendar(anon.get(ICS)).walk("VEVENT")
    assert event["STATUS"] == event_status
    assert f"Status: {commitment.__class__(status=status).get_status_display()}." in str(
        event["DESCRIPTION"]
    )


def test_a_proposed_commitment_needs_action(anon, source):
    make_commitment(source=source, deadline="2025")
    (todo,) = calendar(anon.get(ICS, {"component": "todo"})).walk("VTODO")
    assert todo["STATUS"] == "NEEDS-ACTION"


CALENDAR_QUERIES = [
    {"tag": "cybersecurity"},
    {"status": "proposed"},
    {"overdue": "true"},
    {"due_before": "2025-12-31"},
    {"actor": "turkmenistan"},
    {"q": "programme"},
]


def _ids_with_a_deadline(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"] if row["deadline"] is not None}


def test_the_calendar_takes_the_commitment_lists_filters(anon, seeded, time_machine):
    time_machine.move_to(datetime(2026, 11, 23, 9, tzinfo=ZoneInfo("Asia/Ashgabat")), tick=False)
    call_command("scan_deadlines", stdout=io.StringIO())
    every = _ids_with_a_deadline(anon.get(LIST, {"page_size": 200}))
    for query in CALENDAR_QUERIES:
        listed = _ids_with_a_deadline(anon.get(LIST, {**query, "page_size": 200}))
        # The control: the filter keeps some deadlines and drops others.
        assert listed and listed != every, query
        events = calendar(anon.get(ICS, query)).walk("VEVENT")
        ids = {int(str(e["UID"]).split("@")[0].removeprefix("commitment-")) for e in events}
        assert ids == listed, query


def test_a_bad_filter_on_the_calendar_is_a_400_problem(anon):
    response = anon.get(ICS, {"due_before": "tomorrow"})
    assert response.status_code == 400
    assert "due_before" in problem_fields(response)


def test_the_calendar_is_counted_apart_from_the_anonymous_limit(anon, reader, source, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1/min", "user": "1/min", "calendar": "3/min"},
    }
    make_commitment(source=source, deadline="2025")
    assert anon.get(LIST).status_code == 200
    assert anon.get(LIST).status_code == 429
    # A calendar service at the same address still gets the calendar's own allowance.
    assert [anon.get(ICS).status_code for _ in range(3)] == [200, 200, 200]
    response = anon.get(ICS)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    # A token is counted per user.
    assert [reader.get(ICS).status_code for _ in range(4)] == [200, 200, 200, 429]
