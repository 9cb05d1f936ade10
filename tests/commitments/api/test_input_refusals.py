"""Findings of an attack on the API's input (issue 14), each held by a test: what was accepted
or a 500 is now a 400 naming the field, parameter or header — or, where the input was valid,
the right answer."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest

from commitments.models import Commitment
from tests.api_fixtures import problem_fields
from tests.factories import SOURCE_TEXT, make_commitment
from tracker.choices import AlertKind
from tracker.models import Alert
from tracker.services import deadlines_scan

pytestmark = pytest.mark.django_db

LIST = "/api/v1/commitments/"
QUOTE = "a national cyber-security programme will run for 2025-2027"
FILLER = " as the ministry and its partners agreed in the joint statement on the programme"


def detail(pk: int) -> str:
    return f"{LIST}{pk}/"


def long_deadline(words: str) -> str:
    """A valid deadline of close to 200 characters (the most a deadline has)."""
    text = words + FILLER * 3
    return text[:195].rsplit(" ", 1)[0]


def change_deadline(client, commitment, deadline: str, **headers):
    body = {
        "deadline": deadline,
        "reason": "Moved.",
        "effective_on": "2024-09-13",
        "source": commitment.citations.get().source_id,
        "quote": QUOTE,
    }
    return client.post(f"{detail(commitment.pk)}deadline-changes/", body, format="json", **headers)


# --- 1. a deadline change whose history reason is longer than 100 characters ------------------


def test_a_change_between_two_long_deadlines_is_recorded_with_its_whole_reason(staff, source):
    old, new = long_deadline("in November 2030"), long_deadline("in December 2031")
    commitment = make_commitment(source=source, deadline=old)

    response = change_deadline(staff, commitment, new)

    assert response.status_code == 201, response.content
    reason = Commitment.history.filter(id=commitment.pk).first().history_change_reason
    assert reason == f"deadline: {old} → {new}"
    assert len(reason) > 300


# --- 3. a published milestone of a draft ------------------------------------------------------


def test_a_published_milestone_of_a_draft_is_refused_and_the_draft_never_shows(
    staff, anon, client, source
):
    draft = make_commitment(source=source, reference="DRAFT-PARENT", is_published=False)
    body = {
        "reference": "CHILD",
        "title": "A milestone",
        "kind": "event",
        "parent": draft.pk,
        "is_published": True,
        "citations": [{"source": source.pk, "quote": QUOTE}],
    }

    created = staff.post(LIST, body, format="json")
    assert created.status_code == 400
    assert "is a draft" in problem_fields(created)["parent"]

    child = staff.post(LIST, {**body, "is_published": False}, format="json")
    assert child.status_code == 201, child.content
    publish = staff.patch(detail(child.json()["id"]), {"is_published": True}, format="json")
    assert publish.status_code == 400
    assert "parent" in problem_fields(publish)

    # What anyone reads names no draft: the list, the detail, the CSV, the pages.
    assert [c["reference"] for c in anon.get(LIST).json()["results"]] == []
    assert anon.get(detail(child.json()["id"])).status_code == 404
    exported = b"".join(anon.get(LIST, {"format": "csv"}).streaming_content).decode()
    assert "DRAFT-PARENT" not in exported and list(csv.DictReader(io.StringIO(exported))) == []
    assert client.get("/en/commitments/CHILD/").status_code == 404


def test_a_parent_with_published_milestones_stays_published(staff, source):
    parent = make_commitment(source=source, reference="PARENT")
    make_commitment(source=source, reference="MILESTONE", parent=parent)

    response = staff.patch(detail(parent.pk), {"is_published": False}, format="json")

    assert response.status_code == 400
    assert "MILESTONE" in problem_fields(response)["is_published"]


def test_a_milestone_of_a_published_parent_is_shown_with_its_parent(staff, anon, client, source):
    parent = make_commitment(source=source, reference="PARENT")
    child = make_commitment(source=source, reference="MILESTONE", parent=parent)

    assert anon.get(detail(child.pk)).json()["parent"] == parent.pk
    assert client.get("/en/commitments/MILESTONE/").status_code == 200


# --- 4. a quote too short to be evidence -----------------------------------------------------


@pytest.mark.parametrize("quote", ["e", "   programme   ", "will run for"])
def test_a_quote_too_short_to_be_evidence_is_a_400_naming_it(staff, commitment, quote):
    assert quote.strip() in SOURCE_TEXT  # it is in the source: only its length is wrong
    body = {
        "status": "completed",
        "effective_on": "2024-09-13",
        "source": commitment.citations.get().source_id,
        "quote": quote,
    }

    response = staff.post(f"{detail(commitment.pk)}status-changes/", body, format="json")

    assert response.status_code == 400
    assert "at least 20 characters" in problem_fields(response)["quote"]
    assert Commitment.objects.get(pk=commitment.pk).status == "proposed"


def test_a_citation_or_a_new_commitment_with_a_short_quote_is_refused(staff, commitment, source):
    added = staff.post(
        f"{detail(commitment.pk)}citations/",
        {"source": source.pk, "quote": "programme"},
        format="json",
    )
    assert added.status_code == 400 and "quote" in problem_fields(added)

    created = staff.post(
        LIST,
        {
            "reference": "SHORT",
            "title": "T",
            "kind": "event",
            "citations": [{"source": source.pk, "quote": "e"}],
        },
        format="json",
    )
    assert created.status_code == 400 and "quote" in problem_fields(created)


def test_the_minimum_is_a_setting(staff, commitment, settings):
    settings.EVIDENCE_QUOTE_MIN_LENGTH = 5
    body = {
        "status": "adopted",
        "effective_on": "2024-09-13",
        "source": commitment.citations.get().source_id,
        "quote": "programme",
    }

    response = staff.post(f"{detail(commitment.pk)}status-changes/", body, format="json")

    assert response.status_code == 201, response.content


# --- 5. deadlines that are sets, lists, junk or days a month lacks ----------------------------


@pytest.mark.parametrize(
    "deadline",
    ["{[{[{[{[2024", "2024,2024,2024,1999", "[2024,2025]", "on March 44, 2020", "February 30"],
)
def test_a_deadline_that_is_not_one_period_is_a_400_naming_it(staff, commitment, deadline):
    created = staff.post(
        LIST,
        {"reference": "JUNK", "title": "T", "kind": "event", "deadline": deadline},
        format="json",
    )
    assert created.status_code == 400
    assert "deadline" in problem_fields(created)

    changed = change_deadline(staff, commitment, deadline)
    assert changed.status_code == 400
    assert "deadline" in problem_fields(changed)


# --- 6. tags ------------------------------------------------------------------------------------


def test_tags_are_capped_in_number_and_length(staff, commitment):
    url = detail(commitment.pk)
    twenty = [f"tag-{n}" for n in range(20)]

    assert staff.patch(url, {"tags": twenty}, format="json").status_code == 200
    too_many = staff.patch(url, {"tags": [*twenty, "one-more"]}, format="json")
    assert too_many.status_code == 400 and "tags" in problem_fields(too_many)
    too_long = staff.patch(url, {"tags": ["x" * 51]}, format="json")
    assert too_long.status_code == 400 and "tags.0" in problem_fields(too_long)
    assert Commitment.objects.get(pk=commitment.pk).tags == sorted(twenty)


@pytest.mark.parametrize("tag", [0, True, 1.5, None, {"slug": "x"}])
def test_a_tag_that_is_not_a_json_string_is_a_400_naming_tags(staff, commitment, tag):
    """DRF's SlugField wrote `0` as the tag "0"; every text field of a model takes strings only."""
    created = staff.post(
        LIST,
        {"reference": "T-1", "title": "T", "kind": "event", "tags": [tag]},
        format="json",
    )
    assert created.status_code == 400, created.content
    assert list(problem_fields(created)) == ["tags.0"]
    assert not Commitment.objects.filter(reference="T-1").exists()

    changed = staff.patch(detail(commitment.pk), {"tags": ["ok", tag]}, format="json")
    assert changed.status_code == 400 and list(problem_fields(changed)) == ["tags.1"]
    assert Commitment.objects.get(pk=commitment.pk).tags == commitment.tags


# Each write with a text field its serializer declares itself: (path, the field, the body
# with that field a number; {source} and {quote} are the commitment's evidence).
DECLARED_TEXT = [
    ("", "deadline", {"reference": "T-2", "title": "T", "kind": "event", "deadline": 2025}),
    ("deadline-changes/", "deadline", {"deadline": 2026, "reason": "Moved.", "dated": 1}),
    ("deadline-changes/", "reason", {"deadline": "2026", "reason": 7, "dated": 1}),
    ("status-changes/", "quote", {"status": "adopted", "dated": 1, "quote": 1234567890}),
    ("claims/", "value", {"fact": "deadline", "value": 2027, "evidence": 1}),
    ("citations/", "quote", {"source": 1, "quote": 5}),
]


@pytest.mark.parametrize(("path", "field", "body"), DECLARED_TEXT)
def test_a_declared_text_field_takes_a_json_string_only(staff, commitment, path, field, body):
    """Found by an outside tester: fields a serializer declares itself (not from the model)
    took numbers as text: `"deadline": 2025` was saved as "2025"."""
    source = commitment.citations.get().source_id
    body = dict(body)
    if body.pop("dated", None):
        body = {"effective_on": "2024-09-13", "source": source, "quote": QUOTE, **body}
    if body.pop("evidence", None):
        body = {"source": source, "quote": QUOTE, **body}
    if "source" in body:
        body["source"] = source
    url = f"{detail(commitment.pk)}{path}" if path else LIST
    before = Commitment.objects.get(pk=commitment.pk).version

    response = staff.post(url, body, format="json")

    assert response.status_code == 400, response.content
    assert problem_fields(response)[field].startswith("Must be a string, not "), response.content
    assert Commitment.objects.get(pk=commitment.pk).version == before
    assert not Commitment.objects.filter(reference="T-2").exists()


def test_a_source_url_that_is_not_a_json_string_is_a_400_naming_it(staff):
    response = staff.post(
        "/api/v1/sources/",
        {"title": "T", "kind": "statement", "text": SOURCE_TEXT, "url": 12345},
        format="json",
    )
    assert response.status_code == 400
    assert problem_fields(response)["url"] == "Must be a string, not int."


def test_the_service_caps_tags_too(settings, source):
    from django.core.exceptions import ValidationError

    settings.COMMITMENT_TAGS_MAX = 2
    with pytest.raises(ValidationError) as refused:
        make_commitment(source=source, tags=["a", "b", "c"])
    assert "tags" in refused.value.message_dict


# --- 7. empty query values, If-Match, a PATCH with no body ------------------------------------


@pytest.mark.parametrize(
    ("url", "name"),
    [
        (LIST, "kind"),
        (LIST, "due_before"),
        (LIST, "status"),
        (LIST, "q"),
        ("/api/v1/sources/", "published_before"),
        ("/api/v1/alerts/", "kind"),
    ],
)
def test_an_empty_query_value_is_a_400_naming_the_parameter(anon, url, name):
    response = anon.get(url, {name: ""})

    assert response.status_code == 400
    assert name in problem_fields(response)


@pytest.mark.parametrize("if_match", ["", "   ", "not-quoted", '"a", junk'])
def test_a_malformed_if_match_is_a_400_naming_it_before_the_body_is_read(
    staff, commitment, if_match
):
    response = staff.patch(
        detail(commitment.pk), {"bogus": 1}, format="json", HTTP_IF_MATCH=if_match
    )

    assert response.status_code == 400
    assert list(problem_fields(response)) == ["If-Match"]


def test_a_well_formed_if_match_still_decides_412_or_success(staff, commitment):
    etag = staff.get(detail(commitment.pk))["ETag"]
    url = detail(commitment.pk)

    stale = staff.patch(url, {"title": "A"}, format="json", HTTP_IF_MATCH='"other"')
    assert stale.status_code == 412
    assert staff.patch(url, {"title": "B"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    assert staff.patch(url, {"title": "C"}, format="json", HTTP_IF_MATCH="*").status_code == 200


@pytest.mark.parametrize("body", [None, {}])
def test_a_patch_with_no_body_is_a_400(staff, commitment, body):
    before = Commitment.objects.get(pk=commitment.pk).version

    response = staff.patch(detail(commitment.pk), body, format="json")

    assert response.status_code == 400
    assert "needs a body" in response.json()["detail"]
    assert Commitment.objects.get(pk=commitment.pk).version == before


# --- 8. a commitment created, or moved, past its deadline is overdue at once ------------------

ASHGABAT = ZoneInfo("Asia/Ashgabat")


def test_a_commitment_created_past_its_deadline_is_overdue_in_the_201(
    staff, anon, source, time_machine
):
    time_machine.move_to(dt.datetime(2025, 3, 1, 9, tzinfo=ASHGABAT), tick=False)
    body = {
        "reference": "LATE",
        "title": "T",
        "kind": "event",
        "deadline": "2024-11",
        "is_published": True,
        "citations": [{"source": source.pk, "quote": QUOTE}],
    }

    created = staff.post(LIST, body, format="json")

    assert created.status_code == 201, created.content
    assert created.json()["is_overdue"] is True
    assert created.json()["overdue_since"] == "2024-12-01"
    pk = created.json()["id"]
    assert Alert.objects.filter(commitment_id=pk, kind=AlertKind.OVERDUE).count() == 1
    deadlines_scan()  # the scan finds nothing left to do: the ETag stays right
    # The writer's own read: staff are shown every language too, another representation.
    assert staff.get(detail(pk))["ETag"] == created["ETag"]
    assert Alert.objects.filter(commitment_id=pk, kind=AlertKind.OVERDUE).count() == 1


def test_a_deadline_moved_into_the_past_is_overdue_at_once(staff, anon, source, time_machine):
    time_machine.move_to(dt.datetime(2025, 3, 1, 9, tzinfo=ASHGABAT), tick=False)
    commitment = make_commitment(source=source, deadline="2026")
    assert commitment.is_overdue is False

    changed = change_deadline(staff, commitment, "2024-11")

    assert changed.status_code == 201, changed.content
    assert anon.get(detail(commitment.pk)).json()["is_overdue"] is True
    assert staff.get(detail(commitment.pk))["ETag"] == changed["ETag"]
    assert Alert.objects.filter(commitment=commitment, kind=AlertKind.OVERDUE).count() == 1
    deadlines_scan()
    assert staff.get(detail(commitment.pk))["ETag"] == changed["ETag"]


@pytest.mark.parametrize("action", ["status-changes", "deadline-changes", "citations", "claims"])
def test_adding_to_a_commitment_that_does_not_exist_is_a_404_before_the_body(staff, action):
    response = staff.post(f"{LIST}987654/{action}/", {"source": 300}, format="json")

    assert response.status_code == 404
