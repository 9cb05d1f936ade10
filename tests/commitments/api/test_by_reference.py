"""A commitment is read by its reference as by its id: the same body and ETag, with the URL by
id as the canonical one. Writes by reference are refused, naming the URL by id."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.api_fixtures import problem_fields
from tests.factories import make_commitment

pytestmark = pytest.mark.django_db

LIST = "/api/v1/commitments/"


def public(path: str) -> str:
    return settings.TRACKER_PUBLIC_URL.rstrip("/") + path


@pytest.fixture
def tm(source):
    return make_commitment(source=source, reference="TM-2024-04")


def test_a_reference_reads_as_the_id_does_with_the_canonical_link(anon, tm):
    by_id = anon.get(f"{LIST}{tm.pk}/")
    by_reference = anon.get(f"{LIST}TM-2024-04/")

    assert by_reference.status_code == 200
    assert by_reference.content == by_id.content
    assert by_reference["ETag"] == by_id["ETag"]
    canonical = public(f"{LIST}{tm.pk}/")
    assert by_reference["Link"] == f'<{canonical}>; rel="canonical"'
    assert by_reference["Content-Location"] == canonical
    assert by_reference["Allow"] == "GET, HEAD, OPTIONS"
    assert "Link" not in by_id and "Content-Location" not in by_id


def test_head_and_if_none_match_work_by_reference(anon, tm):
    etag = anon.get(f"{LIST}{tm.pk}/")["ETag"]
    head = anon.head(f"{LIST}TM-2024-04/")
    assert head.status_code == 200 and head["ETag"] == etag and head.content == b""
    unchanged = anon.get(f"{LIST}TM-2024-04/", HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304
    assert unchanged["Link"] == f'<{public(f"{LIST}{tm.pk}/")}>; rel="canonical"'


def test_the_history_reads_by_reference_too(anon, tm):
    by_reference = anon.get(f"{LIST}TM-2024-04/history/")
    assert by_reference.status_code == 200
    assert by_reference.json() == anon.get(f"{LIST}{tm.pk}/history/").json()
    assert by_reference["Content-Location"] == public(f"{LIST}{tm.pk}/history/")


def test_a_drafts_reference_is_a_404_to_anyone_but_staff(anon, reader, staff, source):
    draft = make_commitment(source=source, reference="DRAFT-1", is_published=False)
    for client in (anon, reader):
        for path in ("DRAFT-1/", "DRAFT-1/history/", f"{draft.pk}/"):
            response = client.get(f"{LIST}{path}")
            assert response.status_code == 404, path
            assert response.json()["detail"] == client.get(f"{LIST}999999/").json()["detail"]
    assert staff.get(f"{LIST}DRAFT-1/").json()["id"] == draft.pk


@pytest.mark.parametrize("reference", ["NOPE", "x" * 51, "TM-2024-04 ", "99999999999999999999"])
def test_an_unknown_reference_is_a_404(anon, tm, reference):
    assert anon.get(f"{LIST}{reference}/").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("patch", "TM-2024-04/", "GET, HEAD, OPTIONS"),
        ("put", "TM-2024-04/", "GET, HEAD, OPTIONS"),
        ("post", "TM-2024-04/status-changes/", "OPTIONS"),
        ("post", "TM-2024-04/deadline-changes/", "OPTIONS"),
        ("post", "TM-2024-04/citations/", "OPTIONS"),
        ("post", "TM-2024-04/claims/", "OPTIONS"),
        ("post", "TM-2024-04/resolutions/", "OPTIONS"),
    ],
)
def test_a_write_by_reference_is_a_405_naming_the_url_by_id(staff, tm, method, path, allow):
    before = staff.get(f"{LIST}{tm.pk}/")["ETag"]
    response = getattr(staff, method)(f"{LIST}{path}", {"title": "Changed"}, format="json")

    assert response.status_code == 405
    assert response["Allow"] == allow
    problem_fields(response)
    canonical = public(f"{LIST}{tm.pk}/{path.removeprefix('TM-2024-04/')}")
    assert canonical in response.json()["detail"]
    assert response.json()["code"] == "read_only_by_reference"
    assert staff.get(f"{LIST}{tm.pk}/")["ETag"] == before


def test_a_write_to_an_unknown_or_hidden_reference_is_a_404_and_anonymous_still_a_401(
    staff, anon, tm
):
    assert staff.patch(f"{LIST}NOPE/", {"title": "x"}, format="json").status_code == 404
    assert anon.patch(f"{LIST}TM-2024-04/", {"title": "x"}, format="json").status_code == 401


def test_a_reference_of_digits_only_reads_as_an_id(anon, source, tm):
    make_commitment(source=source, reference=str(tm.pk))
    assert anon.get(f"{LIST}{tm.pk}/").json()["reference"] == "TM-2024-04"


def test_the_schema_says_the_read_takes_an_id_or_a_reference(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    path = schema["paths"]["/api/v1/commitments/{id}/"]
    (read_id,) = [p for p in path["get"]["parameters"] if p["name"] == "id"]
    (write_id,) = [p for p in path["patch"]["parameters"] if p["name"] == "id"]
    assert read_id["schema"]["type"] == "string" and "reference" in read_id["description"]
    assert write_id["schema"]["type"] == "integer"
    assert {"Link", "Content-Location"} <= set(path["get"]["responses"]["200"]["headers"])


@pytest.mark.parametrize("method", ["DELETE", "TRACE", "FOO"])
@pytest.mark.parametrize("path", ["TM-2024-04/", "TM-2024-04/history/", "TM-2024-04/citations/"])
def test_a_method_no_route_offers_is_a_405_by_reference_too(anon, staff, tm, method, path):
    for caller in (anon, staff):
        response = caller.generic(method, f"{LIST}{path}")
        assert response.status_code in (401, 405), (caller, response.status_code)
        assert response.status_code != 401 or caller is anon


@pytest.mark.parametrize("path", ["/api/v1/alerts/", f"{LIST}TM-2024-04/history/"])
def test_a_patch_with_no_body_where_patch_is_not_offered_is_a_405(staff, tm, path):
    assert staff.patch(path).status_code == 405
