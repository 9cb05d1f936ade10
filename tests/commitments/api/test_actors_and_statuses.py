"""Actors with their commitments, and the status vocabulary."""

from __future__ import annotations

import pytest

from commitments.choices import STATUS_MAPPINGS
from tests.api_fixtures import problem_fields
from tests.factories import make_actor, make_commitment

pytestmark = pytest.mark.django_db

ACTORS = "/api/v1/actors/"


@pytest.fixture
def osce(source):
    actor = make_actor(slug="osce", name="OSCE", kind="international_organisation")
    make_commitment(source=source, reference="PUB", parties=[(actor, "partner")])
    make_commitment(
        source=source, reference="DRAFT", parties=[(actor, "proposer")], is_published=False
    )
    return actor


def test_an_actor_is_found_by_id_or_slug_with_the_commitments_it_is_party_to(anon, osce):
    by_slug = anon.get(f"{ACTORS}osce/").json()
    assert anon.get(f"{ACTORS}{osce.pk}/").json() == by_slug
    assert by_slug["name"] == "OSCE"
    assert [(c["commitment"]["reference"], c["role"]) for c in by_slug["commitments"]] == [
        ("PUB", "partner")
    ]


def test_staff_see_an_actors_draft_commitments(staff, osce):
    body = staff.get(f"{ACTORS}osce/").json()
    assert sorted(c["commitment"]["reference"] for c in body["commitments"]) == ["DRAFT", "PUB"]


def test_an_unknown_actor_is_a_404(anon):
    assert anon.get(f"{ACTORS}nato/").status_code == 404
    assert anon.get(f"{ACTORS}999999/").status_code == 404
    assert anon.get(f"{ACTORS}n%20a/").status_code == 404


def test_actors_list_filters_by_kind_and_country(anon):
    make_actor(slug="tm", name="Turkmenistan", kind="country", country="TM")
    make_actor(slug="un", name="United Nations", kind="international_organisation")
    results = anon.get(ACTORS, {"kind": "country"}).json()["results"]
    assert [a["slug"] for a in results] == ["tm"]
    assert [a["slug"] for a in anon.get(ACTORS, {"country": "tm"}).json()["results"]] == ["tm"]
    assert [a["slug"] for a in anon.get(ACTORS, {"q": "nations"}).json()["results"]] == ["un"]
    assert "kind" in problem_fields(anon.get(ACTORS, {"kind": "alien"}))


@pytest.mark.parametrize("page_size", [1, 200])
def test_the_actor_list_takes_one_query(page_size, anon, django_assert_num_queries):
    for number in range(3):
        make_actor(slug=f"a-{number}")
    with django_assert_num_queries(1):
        assert anon.get(ACTORS, {"page_size": page_size}).status_code == 200


def test_an_actor_detail_takes_two_queries(anon, osce, django_assert_num_queries):
    with django_assert_num_queries(2):
        assert anon.get(f"{ACTORS}osce/").status_code == 200


def test_statuses_publish_the_vocabulary_and_its_mappings(anon, django_assert_num_queries):
    with django_assert_num_queries(0):
        body = anon.get("/api/v1/statuses/").json()
    assert [s["value"] for s in body] == list(STATUS_MAPPINGS)
    abandoned = next(s for s in body if s["value"] == "abandoned")
    assert abandoned == {
        "value": "abandoned",
        "label": "Abandoned",
        "is_final": True,
        "description": "Dropped, or will not happen.",
        "politifact": "Promise Broken",
        "ogp_irm": "Withdrawn",
        "icalendar": "CANCELLED",
    }
