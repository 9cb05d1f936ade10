"""The "Editors" group that a data migration creates, and what being outside it means."""

from django.contrib.auth.models import Group
from django.urls import reverse

from tests.factories import make_actor


def test_the_editors_group_has_what_staff_need_and_no_deletion_of_evidence(db):
    codenames = set(
        Group.objects.get(name="Editors").permissions.values_list("codename", flat=True)
    )

    for model in ("source", "actor", "commitment", "party", "citation"):
        assert {f"view_{model}", f"add_{model}", f"change_{model}"} <= codenames
    assert {"record_status_change", "record_deadline_change"} <= codenames
    assert not {"delete_source", "delete_commitment", "delete_citation"} & codenames


def test_an_editor_may_record_status_changes(editor):
    assert editor.has_perm("commitments.record_status_change")
    assert editor.has_perm("commitments.record_deadline_change")


def test_staff_outside_the_group_may_not(staff_user):
    assert not staff_user.has_perm("commitments.record_status_change")


def test_an_editor_adds_an_actor_through_the_service(editor_client):
    response = editor_client.post(
        reverse("admin:commitments_actor_add"),
        {
            "name_en": "Ministry of Energy",
            "slug": "ministry-of-energy",
            "kind": "government_body",
            "country": "tm",
            "short_name_en": "",
        },
    )

    assert response.status_code == 302
    from commitments.models import Actor

    assert Actor.objects.get(slug="ministry-of-energy").country == "TM"  # upper-cased


def test_actors_are_searchable_for_the_party_autocomplete(editor_client):
    make_actor(name="Ministry of Energy")
    make_actor(name="Cabinet of Ministers")

    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "commitments", "model_name": "party", "field_name": "actor", "term": "ener"},
    )

    assert [r["text"] for r in response.json()["results"]] == ["Ministry of Energy"]
