"""Reading commitments: the shape, visibility of drafts, ETags, pagination and ordering."""

from __future__ import annotations

import base64
import json
from datetime import date

import pytest
from django.conf import settings

from commitments.models import Citation, Commitment, Party
from commitments.services import commitment_update
from sources.services import source_update
from tests.api_fixtures import problem_fields, references
from tests.factories import make_actor, make_commitment

pytestmark = pytest.mark.django_db

LIST = "/api/v1/commitments/"


def detail(pk: int) -> str:
    return f"{LIST}{pk}/"


def test_a_commitment_has_the_shape_clients_rely_on(anon, source):
    actor = make_actor(slug="osce", name="OSCE", kind="international_organisation")
    commitment = make_commitment(
        source=source,
        reference="TM-1",
        deadline="for 2025-2027",
        tags=["cybersecurity"],
        parties=[(actor, "partner")],
    )
    body = anon.get(detail(commitment.pk)).json()

    assert set(body) >= {
        "id", "reference", "title", "description", "kind", "status", "is_published",
        "deadline", "is_overdue", "overdue_since", "recurring", "parent", "tags", "parties",
        "citations", "version", "created_at", "updated_at", "translation", "api_url",
        "html_url", "status_source", "parties_status", "status_reason", "replaced_by",
        "last_evidence_on", "evidence_stale", "progress_weight", "progress",
    }  # fmt: skip
    assert body["api_url"] == settings.TRACKER_PUBLIC_URL.rstrip("/") + detail(commitment.pk)
    assert body["deadline"] == {
        "text": "for 2025-2027",
        "edtf": "2025/2027",
        "first_day": "2025-01-01",
        "last_day": "2027-12-31",
    }
    assert body["parties"] == [
        {
            "actor": {
                "id": actor.pk,
                "slug": "osce",
                "name": "OSCE",
                "kind": "international_organisation",
                "translation": {"language": "en", "origin": None, "fallback": []},
            },
            "role": "partner",
            # No part of its own recorded yet.
            "status": "",
            "status_since": None,
            "status_reason": "",
            "status_evidence": None,
        }
    ]
    assert (body["status_source"], body["parties_status"]) == ("recorded", "")
    assert body["progress"] is None  # no milestones
    citation = body["citations"][0]
    assert citation["source"] == {
        "id": source.pk,
        "title": source.title,
        "publisher": "Test News",
        "translation": {"language": "en", "origin": None, "fallback": []},
        "api_url": f"{settings.TRACKER_PUBLIC_URL.rstrip('/')}/api/v1/sources/{source.pk}/",
    }
    assert citation["quote"] == "a national cyber-security programme will run for 2025-2027"
    assert body["tags"] == ["cybersecurity"]
    assert body["is_overdue"] is False and body["overdue_since"] is None
    assert body["version"] == commitment.version


def test_a_commitment_without_a_deadline_has_deadline_null(anon, commitment):
    assert anon.get(detail(commitment.pk)).json()["deadline"] is None


# --- drafts -------------------------------------------------------------------------------


@pytest.fixture
def draft(source):
    return make_commitment(source=source, reference="DRAFT-1", is_published=False, deadline="2025")


@pytest.mark.parametrize("caller", ["anon", "reader"])
def test_a_draft_is_invisible_to_anonymous_callers_and_non_staff_tokens(
    caller, request, draft, commitment
):
    client = request.getfixturevalue(caller)
    assert references(client.get(LIST)) == [commitment.reference]
    assert client.get(detail(draft.pk)).status_code == 404
    assert client.get(f"{detail(draft.pk)}history/").status_code == 404
    assert client.get(LIST, {"is_published": "false"}).json()["results"] == []
    assert "DRAFT-1" not in client.get(LIST, {"format": "csv"}).getvalue().decode()
    assert b"DRAFT-1" not in client.get("/api/v1/deadlines.ics").getvalue()


def test_staff_see_drafts_everywhere(staff, draft, commitment):
    assert sorted(references(staff.get(LIST))) == sorted([commitment.reference, draft.reference])
    assert staff.get(detail(draft.pk)).json()["is_published"] is False
    assert references(staff.get(LIST, {"is_published": "false"})) == ["DRAFT-1"]
    assert "DRAFT-1" in staff.get(LIST, {"format": "csv"}).getvalue().decode()
    assert b"DRAFT-1" in staff.get("/api/v1/deadlines.ics").getvalue()


def test_a_missing_commitment_is_a_404_problem(anon):
    response = anon.get(detail(999999))
    assert response.status_code == 404
    assert problem_fields(response) == {}
    assert response.json()["code"] == "not_found"


def test_an_id_beyond_the_database_range_is_a_404_not_a_500(anon):
    assert anon.get(detail(2**70)).status_code == 404


# --- conditional requests ----------------------------------------------------------------


def test_a_detail_carries_an_etag_and_if_none_match_gives_a_304(anon, commitment):
    first = anon.get(detail(commitment.pk))
    etag = first["ETag"]
    assert etag.startswith('"')

    again = anon.get(detail(commitment.pk), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert anon.get(detail(commitment.pk), HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_the_etag_changes_when_the_commitment_changes(anon, commitment):
    etag = anon.get(detail(commitment.pk))["ETag"]
    commitment_update(commitment=commitment, data={"title": "Renamed"})
    response = anon.get(detail(commitment.pk), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_the_etag_changes_when_a_cited_source_is_renamed(anon, commitment, source):
    etag = anon.get(detail(commitment.pk))["ETag"]
    source_update(source=source, data={"title": "Corrected title"})
    response = anon.get(detail(commitment.pk), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["citations"][0]["source"]["title"] == "Corrected title"


# --- query counts --------------------------------------------------------------------------


def _many_commitments(count: int) -> None:
    """One commitment made through the services, then `count - 1` copies of its rows in bulk
    (hundreds through the services would take most of a minute)."""
    actor = make_actor()
    model = make_commitment(reference="BULK-000", deadline="2026", parties=[(actor, "responsible")])
    citation = model.citations.get()
    copies = Commitment.objects.bulk_create(
        Commitment(
            reference=f"BULK-{number:03}",
            title=model.title,
            kind=model.kind,
            status=model.status,
            is_published=True,
            **(
                {}
                if number % 2
                else {
                    "deadline_text": "2026",
                    "deadline_edtf": "2026",
                    "deadline_first_day": date(2026, 1, 1),
                    "deadline_last_day": date(2026, 12, 31),
                }
            ),
        )
        for number in range(1, count)
    )
    Party.objects.bulk_create(Party(commitment=c, actor=actor, role="responsible") for c in copies)
    Citation.objects.bulk_create(
        Citation(commitment=c, source_id=citation.source_id, quote=citation.quote) for c in copies
    )


@pytest.mark.parametrize("page_size", [1, 200])
def test_a_list_page_takes_one_query_whatever_its_size(page_size, anon, django_assert_num_queries):
    _many_commitments(201)
    # the page, with its JSON (parties, actors, citations and sources) built by PostgreSQL
    with django_assert_num_queries(1):
        response = anon.get(LIST, {"page_size": page_size})
    assert len(response.json()["results"]) == page_size


@pytest.mark.parametrize("page_size", [1, 200])
def test_a_staff_token_list_page_adds_only_the_token_lookup(
    page_size, staff, django_assert_num_queries
):
    _many_commitments(201)
    staff.get(LIST)  # the first use of a token also records when it was used
    with django_assert_num_queries(2):
        response = staff.get(LIST, {"page_size": page_size, "ordering": "-deadline"})
    assert len(response.json()["results"]) == page_size


def test_a_detail_takes_one_query(anon, django_assert_num_queries, source):
    actors = [make_actor() for _ in range(3)]
    commitment = make_commitment(source=source, parties=[(a, "partner") for a in actors])
    with django_assert_num_queries(1):
        assert anon.get(detail(commitment.pk)).status_code == 200


def test_a_not_modified_answer_takes_the_same_one_query(
    anon, commitment, django_assert_num_queries
):
    etag = anon.get(detail(commitment.pk))["ETag"]
    with django_assert_num_queries(1):
        assert anon.get(detail(commitment.pk), HTTP_IF_NONE_MATCH=etag).status_code == 304


# --- pagination and ordering ---------------------------------------------------------------


def _walk(client, params: dict) -> list[str]:
    seen, url, data = [], LIST, params
    while url:
        response = client.get(url, data)
        assert response.status_code == 200, response.content
        seen += [row["reference"] for row in response.json()["results"]]
        url, data = response.json()["next"], None
    return seen


@pytest.mark.parametrize(
    "ordering", ["", "deadline", "-deadline", "updated", "-updated", "title", "-title"]
)
def test_following_next_visits_every_commitment_once_in_order(ordering, anon, source):
    deadlines = [None, "2025", "2024-11", None, "2025", "2030", None]
    for number, deadline in enumerate(deadlines):
        make_commitment(
            source=source, reference=f"P-{number}", title=f"T{number % 3}", deadline=deadline
        )
    # No `ordering` at all for the default one: an empty value is a 400.
    order = {"ordering": ordering} if ordering else {}
    everything = references(anon.get(LIST, {**order, "page_size": 200}))
    assert sorted(everything) == [f"P-{n}" for n in range(len(deadlines))]
    assert _walk(anon, {**order, "page_size": 2}) == everything


def test_deadline_ordering_puts_commitments_without_a_deadline_last_both_ways(anon, source):
    for reference, deadline in [("A", None), ("B", "2030"), ("C", "2024")]:
        make_commitment(source=source, reference=reference, deadline=deadline)
    assert references(anon.get(LIST, {"ordering": "deadline"})) == ["C", "B", "A"]
    assert references(anon.get(LIST, {"ordering": "-deadline"})) == ["B", "C", "A"]


def test_previous_leads_back_to_the_page_before(anon, source):
    for number in range(5):
        make_commitment(source=source, reference=f"R-{number}")
    first = anon.get(LIST, {"page_size": 2}).json()
    assert first["previous"] is None
    second = anon.get(first["next"]).json()
    assert [r["reference"] for r in second["results"]] == ["R-2", "R-3"]
    back = anon.get(second["previous"]).json()
    assert [r["reference"] for r in back["results"]] == ["R-0", "R-1"]
    assert back["previous"] is None
    assert [r["reference"] for r in anon.get(back["next"]).json()["results"]] == ["R-2", "R-3"]


def test_a_page_holds_up_to_200(anon):
    _many_commitments(201)
    assert len(anon.get(LIST, {"page_size": 200}).json()["results"]) == 200


@pytest.mark.parametrize("value", ["0", "-3", "ten", "201", "1000", "100000"])
def test_a_page_size_that_is_not_a_whole_number_from_1_to_200_is_a_400_naming_it(value, anon):
    response = anon.get(LIST, {"page_size": value})
    assert response.status_code == 400
    assert problem_fields(response) == {"page_size": "Must be a whole number from 1 to 200."}


def test_a_tampered_cursor_is_a_400_naming_the_cursor(anon, commitment):
    forged = base64.urlsafe_b64encode(
        json.dumps({"o": ["id"], "v": ["not a number"], "b": False}).encode()
    ).decode()
    for cursor in ["garbage", forged]:
        response = anon.get(LIST, {"cursor": cursor})
        assert response.status_code == 400
        assert "cursor" in problem_fields(response)


def test_a_cursor_made_for_another_ordering_is_a_400(anon, source):
    for number in range(3):
        make_commitment(source=source, reference=f"O-{number}")
    next_link = anon.get(LIST, {"page_size": 1, "ordering": "title"}).json()["next"]
    cursor = next_link.split("cursor=")[1].split("&")[0]
    response = anon.get(LIST, {"cursor": cursor, "ordering": "-updated"})
    assert response.status_code == 400
    assert "cursor" in problem_fields(response)


def test_an_ordering_outside_the_whitelist_is_a_400_naming_it(anon):
    response = anon.get(LIST, {"ordering": "description"})
    assert response.status_code == 400
    assert "deadline" in problem_fields(response)["ordering"]


def test_an_unknown_query_parameter_is_a_400_naming_it(anon):
    response = anon.get(LIST, {"stauts": "completed"})
    assert response.status_code == 400
    assert "stauts" in problem_fields(response)


def test_an_unknown_format_is_a_400_naming_it(anon, commitment):
    for url in [LIST, detail(commitment.pk)]:
        response = anon.get(url, {"format": "xml"})
        assert response.status_code == 400
        assert "format" in problem_fields(response)


def test_a_list_filter_does_not_hide_a_detail(anon, commitment):
    # Filters belong to lists: on a detail they are unknown parameters, not a silent 404.
    response = anon.get(detail(commitment.pk), {"status": "completed"})
    assert response.status_code == 400
    assert "status" in problem_fields(response)


def test_an_unacceptable_accept_header_is_a_406_problem(anon):
    response = anon.get(LIST, HTTP_ACCEPT="application/xml")
    assert response.status_code == 406
    assert problem_fields(response) == {}


def test_dates_in_a_commitment_are_iso_8601(anon, source):
    commitment = make_commitment(source=source, announced_on=date(2024, 9, 13))
    assert anon.get(detail(commitment.pk)).json()["announced_on"] == "2024-09-13"
