"""Sources through the API: anyone reads; staff create, change and delete uncited ones."""

from __future__ import annotations

import hashlib

import pytest
from django.contrib.auth.models import Permission

from accounts.services import api_token_create
from sources.models import Source
from tests.api_fixtures import client_with_token, problem_fields
from tests.factories import SOURCE_TEXT, make_commitment, make_source, make_user

pytestmark = pytest.mark.django_db

LIST = "/api/v1/sources/"


def detail(pk: int) -> str:
    return f"{LIST}{pk}/"


def new_source(**extra) -> dict:
    return {
        "title": "Cabinet meeting",
        "kind": "news_report",
        "text": "The Cabinet met on Friday.\nIt approved a plan.",
        "publisher": "State news agency",
        "published": "2024-09",
        **extra,
    }


def test_a_list_leaves_out_the_text_and_a_detail_has_it_with_its_hash(anon, source):
    (row,) = anon.get(LIST).json()["results"]
    assert "text" not in row
    assert row["text_sha256"] == hashlib.sha256(SOURCE_TEXT.encode()).hexdigest()
    body = anon.get(detail(source.pk)).json()
    assert body["text"] == SOURCE_TEXT
    assert body["published"] == "2024-09-13"


def test_sources_filter_by_kind_language_date_and_text(anon):
    make_source(title="Law", kind="legal_act", published="2020", text="A law on e-documents.")
    make_source(title="News", published="2024-09-13")
    assert [s["title"] for s in anon.get(LIST, {"kind": "legal_act"}).json()["results"]] == ["Law"]
    assert [s["title"] for s in anon.get(LIST, {"q": "e-documents"}).json()["results"]] == ["Law"]
    after = anon.get(LIST, {"published_after": "2024-01-01"}).json()["results"]
    assert [s["title"] for s in after] == ["News"]
    assert len(anon.get(LIST, {"language": "en"}).json()["results"]) == 2
    assert "kind" in problem_fields(anon.get(LIST, {"kind": "blog"}))
    assert "published_after" in problem_fields(anon.get(LIST, {"published_after": "2024-99"}))


@pytest.mark.parametrize("page_size", [1, 200])
def test_a_source_list_page_takes_one_query(page_size, anon, django_assert_num_queries):
    for _ in range(3):
        make_source()
    with django_assert_num_queries(1):
        assert anon.get(LIST, {"page_size": page_size}).status_code == 200


def test_a_source_detail_takes_one_query_and_honours_if_none_match(
    anon, source, django_assert_num_queries
):
    with django_assert_num_queries(1):
        response = anon.get(detail(source.pk))
    assert anon.get(detail(source.pk), HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_staff_add_a_source(staff):
    response = staff.post(LIST, new_source(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["text_sha256"] == hashlib.sha256(new_source()["text"].encode()).hexdigest()
    assert body["published_on"] == "2024-09-01"
    assert response["Location"].endswith(detail(body["id"]))


def test_an_anonymous_caller_cannot_add_a_source(anon):
    assert anon.post(LIST, new_source(), format="json").status_code == 401
    assert not Source.objects.exists()


def test_a_non_staff_token_cannot_add_a_source(reader):
    assert reader.post(LIST, new_source(), format="json").status_code == 403
    assert not Source.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"published": "Sept 2024"}, "published"),
        ({"published": "2024-02-30"}, "published"),
        ({"text": "   "}, "text"),
        ({"kind": "tweet"}, "kind"),
        ({"url": "not a url"}, "url"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_source_is_refused_naming_the_field(staff, change, field):
    response = staff.post(LIST, new_source(**change), format="json")
    assert response.status_code == 400
    assert field in problem_fields(response)
    assert not Source.objects.exists()


def test_a_url_already_used_by_another_source_is_refused(staff):
    make_source(url="https://example.org/a")
    response = staff.post(LIST, new_source(url="https://example.org/a"), format="json")
    assert "url" in problem_fields(response)


def test_staff_correct_a_source_with_if_match_and_the_hash_follows_the_text(staff, source):
    etag = staff.get(detail(source.pk))["ETag"]
    text = SOURCE_TEXT + "\nCorrection: the forum is in Ashgabat."
    response = staff.patch(detail(source.pk), {"text": text}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert response.json()["text_sha256"] == hashlib.sha256(text.encode()).hexdigest()
    assert response["ETag"] != etag


def test_a_stale_if_match_on_a_source_is_a_412_and_changes_nothing(staff, source):
    stale = staff.get(detail(source.pk))["ETag"]
    staff.patch(detail(source.pk), {"title": "First"}, format="json")
    response = staff.patch(
        detail(source.pk), {"title": "Second"}, format="json", HTTP_IF_MATCH=stale
    )
    assert response.status_code == 412
    assert Source.objects.get(pk=source.pk).title == "First"


def test_a_text_edit_that_drops_a_quoted_passage_is_refused(staff, commitment, source):
    response = staff.patch(detail(source.pk), {"text": "Something else entirely."}, format="json")
    assert "quoted passage" in problem_fields(response)["text"]
    assert Source.objects.get(pk=source.pk).text == SOURCE_TEXT


@pytest.fixture
def deleter(db):
    """A staff user holding sources.delete_source, which the Editors group does not have."""
    user = make_user(username="deleter", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="delete_source"))
    return client_with_token(api_token_create(user=user, name="cleanup").key)


def test_staff_with_the_permission_delete_a_source_nobody_cites(deleter, staff, source):
    assert staff.delete(detail(source.pk)).status_code == 403  # an editor: as in the admin
    assert deleter.delete(detail(source.pk)).status_code == 204
    assert not Source.objects.exists()


def test_deleting_a_cited_source_is_a_409_that_says_why(deleter, source):
    make_commitment(source=source)
    response = deleter.delete(detail(source.pk))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "source_is_cited"
    assert "cited by 1 citation" in body["detail"]
    assert Source.objects.filter(pk=source.pk).exists()


def test_a_non_staff_token_cannot_delete_a_source(reader, source):
    assert reader.delete(detail(source.pk)).status_code == 403
    assert Source.objects.filter(pk=source.pk).exists()
