"""Staff writes through the API: the services' refusals, If-Match, and who may write."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.conf import settings

from commitments.models import Citation, Commitment, DeadlineChange, StatusChange
from commitments.services import commitment_record_status_change
from tests.api_fixtures import problem_fields
from tests.factories import make_actor, make_source

pytestmark = pytest.mark.django_db

LIST = "/api/v1/commitments/"
QUOTE = "a national cyber-security programme will run for 2025-2027"


def detail(pk: int) -> str:
    return f"{LIST}{pk}/"


def new_commitment(source, **extra) -> dict:
    return {
        "reference": "NEW-1",
        "title": "National cyber-security programme",
        "kind": "programme",
        "deadline": "for 2025-2027",
        "citations": [{"source": source.pk, "quote": QUOTE}],
        **extra,
    }


# --- create ----------------------------------------------------------------------------------


def test_a_commitment_created_past_proposed_needs_evidence(staff, source):
    """A "completed" with no citation would show as a kept promise resting on nothing."""
    bare = {k: v for k, v in new_commitment(source).items() if k != "citations"}
    response = staff.post(
        LIST, {**bare, "status": "completed", "is_published": True}, format="json"
    )
    assert response.status_code == 400
    assert "status" in problem_fields(response)
    assert not Commitment.objects.filter(reference="NEW-1").exists()
    assert staff.post(LIST, {**bare, "status": "proposed"}, format="json").status_code == 201
    cited = {**new_commitment(source, reference="NEW-2"), "status": "completed"}
    assert staff.post(LIST, cited, format="json").status_code == 201


def test_staff_create_a_commitment_with_parties_and_citations(staff, source):
    actor = make_actor(slug="mfa")
    response = staff.post(
        LIST,
        new_commitment(source, parties=[{"actor": actor.pk, "role": "proposer"}], tags=["Cyber"]),
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"].endswith(detail(body["id"]))
    assert response["ETag"]
    assert body["deadline"]["edtf"] == "2025/2027"
    assert body["parties"][0]["actor"]["slug"] == "mfa"
    assert body["tags"] == ["cyber"]
    assert body["is_published"] is False  # a draft until staff publish it
    assert Commitment.objects.get(reference="NEW-1").citations.count() == 1


def test_an_anonymous_write_is_a_401_and_writes_nothing(anon, source):
    response = anon.post(LIST, new_commitment(source), format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert problem_fields(response) == {}
    assert not Commitment.objects.exists()


def test_a_non_staff_token_only_reads(reader, source, commitment):
    response = reader.post(LIST, new_commitment(source), format="json")
    assert response.status_code == 403
    assert "staff" in response.json()["detail"]
    assert reader.patch(detail(commitment.pk), {"title": "x"}, format="json").status_code == 403
    assert Commitment.objects.count() == 1


def test_a_deadline_that_cannot_be_understood_is_refused_with_the_accepted_forms(staff, source):
    response = staff.post(LIST, new_commitment(source, deadline="when pigs fly"), format="json")
    assert response.status_code == 400
    assert "Accepted forms" in problem_fields(response)["deadline"]
    assert not Commitment.objects.exists()


def test_a_quote_missing_from_the_source_refuses_the_whole_commitment(staff, source):
    body = new_commitment(
        source, citations=[{"source": source.pk, "quote": "the ministry never said this"}]
    )
    response = staff.post(LIST, body, format="json")
    assert response.status_code == 400
    assert "does not occur" in problem_fields(response)["quote"]
    assert not Commitment.objects.exists()  # no partial write
    assert not Citation.objects.exists()


def test_each_wrong_field_is_named_with_its_path(staff, source):
    body = new_commitment(
        source,
        kind="promise",
        parties=[{"actor": 999999, "role": "proposer"}, {"actor": 1, "role": "boss"}],
    )
    del body["title"]
    fields = problem_fields(staff.post(LIST, body, format="json"))
    assert {"kind", "title", "parties.0.actor", "parties.1.role"} <= set(fields)


def test_an_unknown_body_field_is_a_400_not_silently_dropped(staff, source):
    fields = problem_fields(staff.post(LIST, new_commitment(source, titel="x"), format="json"))
    assert fields == {"titel": "Unknown field."}


def test_a_duplicate_reference_is_a_400_naming_reference(staff, source, commitment):
    body = new_commitment(source, reference=commitment.reference)
    assert "reference" in problem_fields(staff.post(LIST, body, format="json"))


def test_a_body_that_is_not_json_is_a_problem(staff):
    response = staff.post(LIST, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    response = staff.post(LIST, "a=b", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


# --- update ----------------------------------------------------------------------------------


def test_staff_patch_with_a_current_if_match(staff, commitment):
    etag = staff.get(detail(commitment.pk))["ETag"]
    response = staff.patch(
        detail(commitment.pk), {"title": "Renamed"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Renamed"
    assert response.json()["version"] == commitment.version + 1
    assert response["ETag"] != etag


def test_a_stale_if_match_is_a_412_and_changes_nothing(staff, commitment):
    stale = staff.get(detail(commitment.pk))["ETag"]
    staff.patch(detail(commitment.pk), {"title": "First edit"}, format="json")
    response = staff.patch(
        detail(commitment.pk), {"title": "Second edit"}, format="json", HTTP_IF_MATCH=stale
    )
    assert response.status_code == 412
    assert response.json()["code"] == "precondition_failed"
    assert Commitment.objects.get(pk=commitment.pk).title == "First edit"


def test_the_status_cannot_be_patched_it_needs_evidence(staff, commitment):
    response = staff.patch(detail(commitment.pk), {"status": "completed"}, format="json")
    assert response.status_code == 400
    assert "evidence" in problem_fields(response)["status"]
    assert Commitment.objects.get(pk=commitment.pk).status == "proposed"


def test_a_put_of_what_get_returned_is_accepted(staff, source):
    actor = make_actor()
    created = staff.post(
        LIST,
        new_commitment(source, parties=[{"actor": actor.pk, "role": "partner"}]),
        format="json",
    ).json()
    body = {**created, "title": "Edited title"}
    response = staff.put(detail(created["id"]), body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Edited title"
    assert response.json()["parties"] == created["parties"]


def test_a_put_needs_the_required_fields(staff, commitment):
    fields = problem_fields(staff.put(detail(commitment.pk), {"title": "x"}, format="json"))
    assert {"reference", "kind"} <= set(fields)


def test_a_commitment_cannot_become_its_own_ancestor(staff, commitment, source):
    child = staff.post(LIST, new_commitment(source, parent=commitment.pk), format="json").json()
    response = staff.patch(detail(commitment.pk), {"parent": child["id"]}, format="json")
    assert "parent" in problem_fields(response)


# --- status changes, deadline changes, citations, history ---------------------------------


def status_change(evidence, **extra) -> dict:
    return {
        "status": "in_progress",
        "effective_on": "2025-01-10",
        "note": "Work started",
        "source": evidence.pk,
        "quote": "Officials said the programme was approved by the Cabinet.",
        **extra,
    }


def test_staff_record_a_status_change_with_evidence(staff, commitment, source):
    response = staff.post(
        f"{detail(commitment.pk)}status-changes/", status_change(source), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["old_status"], body["new_status"]) == (
        "status",
        "proposed",
        "in_progress",
    )
    assert body["evidence"]["source"]["id"] == source.pk
    assert Commitment.objects.get(pk=commitment.pk).status == "in_progress"
    assert response["ETag"] == staff.get(detail(commitment.pk))["ETag"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"status": "done"}, "status"),
        ({"status": "proposed"}, "status"),  # already proposed
        ({"effective_on": (date.today() + timedelta(days=3)).isoformat()}, "effective_on"),
        ({"quote": "The minister resigned."}, "quote"),
        ({"quote": ""}, "quote"),
        ({"source": 999999}, "source"),
    ],
)
def test_a_status_change_without_valid_evidence_is_refused(
    staff, commitment, source, change, field
):
    response = staff.post(
        f"{detail(commitment.pk)}status-changes/", status_change(source, **change), format="json"
    )
    assert response.status_code == 400
    assert field in problem_fields(response)
    assert not StatusChange.objects.exists()


def test_a_status_change_with_a_stale_if_match_is_a_412_and_records_nothing(
    staff, commitment, source
):
    stale = staff.get(detail(commitment.pk))["ETag"]
    staff.patch(detail(commitment.pk), {"title": "Edited meanwhile"}, format="json")
    response = staff.post(
        f"{detail(commitment.pk)}status-changes/",
        status_change(source),
        format="json",
        HTTP_IF_MATCH=stale,
    )
    assert response.status_code == 412
    assert not StatusChange.objects.exists()


def test_a_non_staff_token_cannot_record_a_status_change(reader, commitment, source):
    response = reader.post(
        f"{detail(commitment.pk)}status-changes/", status_change(source), format="json"
    )
    assert response.status_code == 403
    assert not StatusChange.objects.exists()


def test_staff_move_a_deadline_with_a_reason_and_evidence(staff, commitment, source):
    response = staff.post(
        f"{detail(commitment.pk)}deadline-changes/",
        {
            "deadline": "in November 2024",
            "reason": "Announced",
            "effective_on": "2024-09-13",
            "source": source.pk,
            "quote": "hold a regional forum in Ashgabat in November 2024",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["new_deadline"]["last_day"] == "2024-11-30"
    assert response.json()["old_deadline"] is None
    assert staff.get(detail(commitment.pk)).json()["deadline"]["edtf"] == "2024-11"


def test_a_deadline_change_with_words_that_mean_nothing_is_refused(staff, commitment, source):
    response = staff.post(
        f"{detail(commitment.pk)}deadline-changes/",
        {
            "deadline": "someday",
            "reason": "",
            "effective_on": "2024-09-13",
            "source": source.pk,
            "quote": QUOTE,
        },
        format="json",
    )
    assert response.status_code == 400
    fields = problem_fields(response)
    assert "Accepted forms" in fields["deadline"]
    assert "reason" in fields
    assert not DeadlineChange.objects.exists()


def test_staff_add_a_citation(staff, commitment):
    other = make_source(text="The Cabinet approved the programme on Friday.")
    response = staff.post(
        f"{detail(commitment.pk)}citations/",
        {"source": other.pk, "quote": "approved the   programme", "note": "confirmation"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["quote"] == "approved the programme"  # whitespace folded
    assert commitment.citations.count() == 2


def test_a_citation_whose_quote_is_not_in_the_source_is_refused(staff, commitment, source):
    response = staff.post(
        f"{detail(commitment.pk)}citations/",
        {"source": source.pk, "quote": "a quote that is made up here"},
        format="json",
    )
    assert "does not occur" in problem_fields(response)["quote"]
    assert commitment.citations.count() == 1


def test_history_lists_status_and_deadline_changes_oldest_first_with_evidence(
    anon, staff, commitment, source
):
    commitment_record_status_change(
        commitment=commitment,
        status="adopted",
        effective_on=date(2024, 9, 1),
        source=source,
        quote="approved by the Cabinet",
    )
    staff.post(
        f"{detail(commitment.pk)}deadline-changes/",
        {
            "deadline": "2025/2027",
            "reason": "Programme period",
            "effective_on": "2024-09-13",
            "source": source.pk,
            "quote": QUOTE,
        },
        format="json",
    )
    history = anon.get(f"{detail(commitment.pk)}history/").json()
    assert [entry["kind"] for entry in history] == ["status", "deadline"]
    assert history[0]["new_status"] == "adopted"
    assert history[0]["evidence"]["quote"] == "approved by the Cabinet"
    assert history[0]["evidence"]["source"] == {
        "id": source.pk,
        "title": source.title,
        "publisher": source.publisher,
        "translation": {"language": "en", "origin": None, "fallback": []},
        "api_url": f"{settings.TRACKER_PUBLIC_URL.rstrip('/')}/api/v1/sources/{source.pk}/",
    }
    assert history[1]["new_deadline"]["text"] == "2025/2027"
    assert history[1]["reason"] == "Programme period"
    assert history[0]["version"] < history[1]["version"]


def test_history_takes_four_queries(anon, commitment, django_assert_num_queries):
    # the commitment, its status changes, its parties' and its deadline changes
    with django_assert_num_queries(4):
        assert anon.get(f"{detail(commitment.pk)}history/").status_code == 200


@pytest.mark.parametrize("title", [12.5, -5283569295233540.0, 7, ["a"], {"a": 1}])
def test_text_fields_take_json_strings_only(staff, source, title):
    response = staff.post(LIST, new_commitment(source, title=title), format="json")
    assert response.status_code == 400
    assert "title" in problem_fields(response)
    assert not Commitment.objects.exists()
