"""`?count=true` adds the filtered list's size to a page; without it no COUNT query runs."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api_fixtures import problem_fields
from tests.factories import make_commitment, make_source

pytestmark = pytest.mark.django_db

LIST = "/api/v1/commitments/"


@pytest.fixture
def five(db):
    source = make_source()
    for number in range(5):
        make_commitment(source=source, reference=f"C-{number}", tags=["even"] * (number % 2 == 0))
    make_commitment(source=source, reference="DRAFT", is_published=False)


def test_count_is_the_whole_filtered_list_on_every_page(anon, five):
    first = anon.get(LIST, {"count": "true", "page_size": 2}).json()
    assert first["count"] == 5  # not the page's 2, and not the draft
    assert list(first) == ["count", "next", "previous", "results"]
    assert anon.get(first["next"]).json()["count"] == 5  # the next link keeps asking
    assert anon.get(LIST, {"count": "1", "tag": "even"}).json()["count"] == 3


def test_without_count_or_with_false_the_page_has_none(anon, five):
    for params in ({}, {"count": "false"}, {"count": "0"}):
        assert list(anon.get(LIST, params).json()) == ["next", "previous", "results"]


def test_staff_count_their_drafts_too(staff, five):
    assert staff.get(LIST, {"count": "true"}).json()["count"] == 6


def test_count_costs_one_counting_query_and_only_when_asked(anon, five, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert anon.get(LIST).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert anon.get(LIST, {"count": "true"}).status_code == 200
    assert len(queries) == 2
    counting = queries[0]["sql"]
    assert counting.startswith("SELECT COUNT(*)")
    assert "json_build_object" not in counting  # the rows' JSON is not built to count them


def test_other_lists_count_too(anon, five):
    assert anon.get("/api/v1/sources/", {"count": "true"}).json()["count"] == 1


@pytest.mark.parametrize("value", ["maybe", "2", "truee"])
def test_a_count_that_is_not_a_boolean_is_a_400_naming_it(anon, five, value):
    response = anon.get(LIST, {"count": value})
    assert response.status_code == 400
    assert "count" in problem_fields(response)
