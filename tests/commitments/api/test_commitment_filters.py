"""Every commitment filter, and the refusal of values a filter does not understand."""

from __future__ import annotations

import pytest

from commitments.services import commitments_refresh_overdue_flags
from tests.api_fixtures import problem_fields, references
from tests.factories import make_actor, make_commitment, make_source

pytestmark = pytest.mark.django_db

LIST = "/api/v1/commitments/"


@pytest.fixture
def world(source):
    """A small, readable set: three commitments, two actors, two sources."""
    osce = make_actor(slug="osce", name="OSCE", kind="international_organisation")
    tm = make_actor(slug="turkmenistan", name="Turkmenistan", kind="country", country="TM")
    other_source = make_source(title="Other")
    cyber = make_commitment(
        source=source,
        reference="CYBER",
        title="Cyber-security programme",
        kind="programme",
        status="proposed",
        deadline="for 2025-2027",
        tags=["cybersecurity", "international-cooperation"],
        parties=[(tm, "responsible"), (osce, "partner")],
    )
    forum = make_commitment(
        source=other_source,
        quote="hold a regional forum in Ashgabat in November 2024",
        reference="FORUM",
        title="Regional forum in Ashgabat",
        kind="event",
        status="adopted",
        deadline="in November 2024",
        tags=["international-cooperation"],
        parties=[(osce, "proposer")],
        parent=cyber,
    )
    law = make_commitment(
        source=source,
        reference="LAW",
        title="A law",
        kind="legislation",
        status="completed",
        parties=[(tm, "approver")],
    )
    return {"osce": osce, "tm": tm, "cyber": cyber, "forum": forum, "law": law,
            "source": source, "other_source": other_source}  # fmt: skip


def get(client, **params):
    return client.get(LIST, params)


def test_status_takes_several_values_repeated_or_comma_separated(anon, world):
    assert references(get(anon, status="proposed")) == ["CYBER"]
    assert references(anon.get(f"{LIST}?status=proposed&status=completed")) == ["CYBER", "LAW"]
    assert references(get(anon, status="proposed,adopted")) == ["CYBER", "FORUM"]


def test_an_unknown_status_filter_is_a_400_naming_the_filter(anon, world):
    response = get(anon, status="proposed,done")
    assert response.status_code == 400
    assert "done" in problem_fields(response)["status"]


def test_kind_filters_and_refuses_unknown_kinds(anon, world):
    assert references(get(anon, kind="event,legislation")) == ["FORUM", "LAW"]
    response = get(anon, kind="promise")
    assert response.status_code == 400
    assert "kind" in problem_fields(response)


def test_overdue_filters_on_the_trackers_flag(anon, world):
    from datetime import date

    commitments_refresh_overdue_flags(today=date(2025, 1, 15))  # the forum was due 2024-11-30
    assert references(get(anon, overdue="true")) == ["FORUM"]
    assert references(get(anon, overdue="false")) == ["CYBER", "LAW"]


def test_a_value_that_is_not_a_boolean_is_a_400_not_an_ignored_filter(anon, world):
    response = get(anon, overdue="maybe")
    assert response.status_code == 400
    assert "overdue" in problem_fields(response)


def test_due_before_and_due_after_compare_the_deadlines_last_day_inclusively(anon, world):
    assert references(get(anon, due_before="2024-11-30")) == ["FORUM"]
    assert references(get(anon, due_before="2024-11-29")) == []
    assert references(get(anon, due_after="2024-12-01")) == ["CYBER"]
    assert references(get(anon, due_after="2024-11-01", due_before="2027-12-31")) == [
        "CYBER",
        "FORUM",
    ]


@pytest.mark.parametrize("value", ["2025-13-01", "soon", "2025-02-30"])
def test_a_date_filter_that_is_not_a_date_is_a_400_naming_the_filter(value, anon, world):
    response = get(anon, due_before=value)
    assert response.status_code == 400
    assert "due_before" in problem_fields(response)


def test_actor_takes_an_id_or_a_slug(anon, world):
    assert references(get(anon, actor="osce")) == ["CYBER", "FORUM"]
    assert references(get(anon, actor=str(world["tm"].pk))) == ["CYBER", "LAW"]
    assert references(get(anon, actor_id=str(world["tm"].pk))) == ["CYBER", "LAW"]


def test_actor_with_role_means_that_actor_in_that_role(anon, world):
    # OSCE is a partner of CYBER and the proposer of FORUM; Turkmenistan is a partner of none.
    assert references(get(anon, actor="osce", role="partner")) == ["CYBER"]
    assert references(get(anon, actor="turkmenistan", role="partner")) == []
    assert references(get(anon, role="approver")) == ["LAW"]


def test_an_unknown_actor_is_a_400_naming_the_filter_and_the_value(anon, world):
    response = get(anon, actor="osce,nato")
    assert response.status_code == 400
    assert "'nato'" in problem_fields(response)["actor"]
    assert "actor_id" in problem_fields(get(anon, actor_id="999999"))


def test_an_unknown_role_is_a_400(anon, world):
    assert "role" in problem_fields(get(anon, role="sponsor"))


def test_country_is_the_iso_code_of_a_party(anon, world):
    assert references(get(anon, country="tm")) == ["CYBER", "LAW"]
    assert references(get(anon, country="TM", role="approver")) == ["LAW"]
    assert references(get(anon, country="PK")) == []
    assert "country" in problem_fields(get(anon, country="Turkmenistan"))


def test_source_finds_what_cites_a_source(anon, world):
    assert references(get(anon, source=str(world["other_source"].pk))) == ["FORUM"]
    assert "source" in problem_fields(get(anon, source="999999"))
    assert "source" in problem_fields(get(anon, source="first"))


def test_tag_requires_every_tag_given(anon, world):
    assert references(get(anon, tag="international-cooperation")) == ["CYBER", "FORUM"]
    assert references(anon.get(f"{LIST}?tag=international-cooperation&tag=cybersecurity")) == [
        "CYBER"
    ]
    assert "tag" in problem_fields(get(anon, tag="not a slug"))


def test_parent_takes_an_id_or_a_reference(anon, world):
    assert references(get(anon, parent="CYBER")) == ["FORUM"]
    assert references(get(anon, parent=str(world["cyber"].pk))) == ["FORUM"]
    assert references(get(anon, parent_id=str(world["cyber"].pk))) == ["FORUM"]
    assert "parent" in problem_fields(get(anon, parent="NOPE"))


def test_a_draft_parent_is_unknown_to_anonymous_callers(anon, staff, world):
    draft = make_commitment(source=world["source"], reference="SECRET", is_published=False)
    assert "parent" in problem_fields(get(anon, parent="SECRET"))
    assert "parent_id" in problem_fields(get(anon, parent_id=str(draft.pk)))
    assert references(get(staff, parent="SECRET")) == []


def test_only_staff_may_name_a_draft_parent_whoever_asked_before(anon, staff, world):
    # Staff and an anonymous caller in turns: each answer depends on who asks, not on who
    # asked before.
    draft = make_commitment(source=world["source"], reference="SECRET", is_published=False)
    make_commitment(source=world["source"], reference="STEP", parent=draft, is_published=False)
    for _ in range(2):
        assert references(get(staff, parent="SECRET")) == ["STEP"]
        assert references(get(staff, parent_id=str(draft.pk))) == ["STEP"]
        assert "parent" in problem_fields(get(anon, parent="SECRET"))
        assert "parent_id" in problem_fields(get(anon, parent_id=str(draft.pk)))


def test_q_searches_the_full_text_in_web_search_syntax(anon, world):
    assert references(get(anon, q="Ashgabat")) == ["FORUM"]
    assert references(get(anon, q="programme")) == ["CYBER"]
    # Best match first (tests/commitments/test_search.py): the set is what this is about.
    assert sorted(references(get(anon, q="ashgabat or law"))) == ["FORUM", "LAW"]
    assert references(get(anon, q='"regional forum" -cyber')) == ["FORUM"]


@pytest.mark.parametrize("query", ['"', "(((", "&|!", "or", "-"])
def test_q_never_fails_on_odd_input(query, anon, world):
    assert get(anon, q=query).status_code == 200


def test_a_null_character_in_a_filter_is_a_400(anon, world):
    assert "q" in problem_fields(get(anon, q="cyber\x00"))
    assert "actor" in problem_fields(get(anon, actor="os\x00ce"))


def test_several_wrong_filters_are_named_together(anon, world):
    fields = problem_fields(get(anon, status="x", due_after="y", overdue="z"))
    assert set(fields) == {"status", "due_after", "overdue"}


# --- the seed dataset reads as a reader of the articles expects ----------------------------


@pytest.mark.usefixtures("seeded")
class TestTheSeedDataset:
    def test_cybersecurity_is_the_four_cyber_security_commitments_of_september_2024(self, anon):
        assert references(get(anon, tag="cybersecurity")) == [
            "TM-2024-05",
            "TM-2024-06",
            "TM-2024-07",
            "TM-2024-08",
        ]

    @pytest.mark.parametrize("by", ["slug", "id"])
    def test_the_osce_is_a_partner_of_the_partnership_and_of_its_training_courses(self, by, anon):
        from commitments.models import Actor

        osce = Actor.objects.get(slug="osce")
        actor = osce.slug if by == "slug" else str(osce.pk)
        assert references(get(anon, actor=actor, role="partner")) == ["TM-2024-08", "TM-2024-09"]

    def test_due_before_the_end_of_2025_includes_what_ends_on_its_last_day(self, anon):
        assert sorted(references(get(anon, due_before="2025-12-31"))) == [
            "OTS-2022-01",  # in November 2022
            "TM-2024-04",  # in November 2024
            "TM-2024-07",  # in 2024-2025
            "TM-DE-CONCEPT-2019",  # in 2019-2025
            "TM-DE-PROG-2021",  # for 2021-2025
        ]

    def test_ashgabat_finds_the_dialogue_to_be_held_there(self, anon):
        assert references(get(anon, q="Ashgabat")) == ["TM-2024-04"]
