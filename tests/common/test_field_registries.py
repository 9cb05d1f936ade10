"""Each model field is classified once (common.fields.FieldRegistry); the serializers, the
admin forms, the CSV columns and the services' allow-lists follow that classification."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import models

from commitments.admin import CommitmentAdmin
from commitments.api.serializers import (
    ActorSerializer,
    CommitmentCreateSerializer,
    CommitmentSerializer,
    CommitmentUpdateSerializer,
)
from commitments.api.views import ACTOR_CSV_COLUMNS
from commitments.fields import ACTOR_FIELDS, COMMITMENT_FIELDS
from commitments.forms import ActorAdminForm, CommitmentAdminForm
from commitments.models import Actor, Commitment
from commitments.selectors import COMMITMENT_CSV_FIELDS
from commitments.services import actor_update, commitment_update
from common.fields import Access, FieldRegistry, registry_problems
from common.forms import admin_field_rows, form_field_names
from config.api.export import TRANSLATION_CSV_COLUMNS
from sources.api.serializers import SourceDetailSerializer, SourceWriteSerializer
from sources.fields import SOURCE_FIELDS
from sources.services import source_update
from tests.commitments.admin.helpers import changeform_post_data
from tests.factories import make_actor, make_commitment, make_source


def test_every_concrete_field_of_every_registered_model_is_classified():
    assert registry_problems() == []
    assert {r.model._meta.label for r in FieldRegistry.registries} >= {
        "commitments.Actor",
        "commitments.Commitment",
        "sources.Source",
    }


def test_a_field_added_to_the_model_but_not_to_its_registry_fails_the_check_naming_it(
    monkeypatch,
):
    subtitle = models.CharField(max_length=100, blank=True)
    subtitle.set_attributes_from_name("subtitle")
    subtitle.model = Commitment
    fields = (*Commitment._meta.concrete_fields, subtitle)
    monkeypatch.setattr(Commitment._meta, "concrete_fields", fields)

    with pytest.raises(SystemCheckError, match=r"commitments\.Commitment\.subtitle is not"):
        call_command("check")


def test_a_registry_naming_a_field_the_model_lacks_is_refused():
    registry = FieldRegistry.__new__(FieldRegistry)  # not added to the checked registries
    registry.model, registry.groups = Commitment, {}
    registry.access = {**COMMITMENT_FIELDS.access, "subtitle": Access.EDITABLE}
    assert registry.problems() == [
        "commitments.Commitment has no field 'subtitle', which its FieldRegistry names."
    ]


def test_the_read_serializers_show_the_registries_fields_in_their_order():
    # …then the links that are no field of the model (itself in the API, the public page).
    # `translation` says what language the translated fields are in (common.translations);
    # `progress` is derived from the milestones by the database (commitments/progress.py).
    assert tuple(CommitmentSerializer().fields) == (
        *COMMITMENT_FIELDS.representation(),
        "progress",
        "translation",
        "api_url",
        "html_url",
    )
    assert tuple(ActorSerializer().fields) == (*ACTOR_FIELDS.representation(), "translation")
    assert tuple(SourceDetailSerializer().fields) == (
        *SOURCE_FIELDS.representation(),
        "translation",
    )
    assert "search_vector" not in CommitmentSerializer().fields  # internal stays in


def test_the_write_serializers_take_the_editable_fields(db):
    # And the other languages' text, as `translations`.
    assert set(CommitmentUpdateSerializer().fields) == {*COMMITMENT_FIELDS.editable, "translations"}
    assert set(CommitmentCreateSerializer().fields) == {
        *COMMITMENT_FIELDS.editable,
        "status",
        "deadline",
        "citations",
        "translations",
    }
    assert set(SourceWriteSerializer().fields) == {*SOURCE_FIELDS.editable, "translations"}


def test_the_admin_forms_and_fieldsets_take_the_editable_columns():
    # A translated field by its column in every language, side by side (common.forms).
    columns = COMMITMENT_FIELDS.editable_columns
    assert CommitmentAdminForm.Meta.fields == form_field_names(Commitment, columns)
    assert "title_ru" in CommitmentAdminForm.Meta.fields
    assert "title" not in CommitmentAdminForm.Meta.fields  # it reads in the staff's language
    assert CommitmentAdmin.fieldsets_change[0][1]["fields"] == admin_field_rows(Commitment, columns)
    assert ActorAdminForm.Meta.fields == form_field_names(Actor, ACTOR_FIELDS.editable)


def test_the_csv_exports_have_a_column_per_shown_field():
    assert COMMITMENT_CSV_FIELDS[:3] == ("id", "reference", "title")
    assert "parent_id" in COMMITMENT_CSV_FIELDS and "search_vector" not in COMMITMENT_CSV_FIELDS
    assert tuple(c for c in COMMITMENT_CSV_FIELDS if c in ("parties", "source_ids")) == (
        "parties",
        "source_ids",
    )
    assert tuple(ACTOR_CSV_COLUMNS) == (*ACTOR_FIELDS.flat_columns(), *TRANSLATION_CSV_COLUMNS)


@pytest.mark.django_db
def test_the_services_refuse_a_field_that_is_not_editable_naming_it(source):
    commitment = make_commitment(source=source)
    for update, kwargs, field in (
        (commitment_update, {"commitment": commitment}, "is_overdue"),
        (actor_update, {"actor": make_actor()}, "created_at"),
        (source_update, {"source": make_source()}, "text_sha256"),
    ):
        with pytest.raises(Exception) as refused:
            update(**kwargs, data={field: None})
        assert refused.value.message_dict == {field: ["This field cannot be changed."]}


def test_the_admin_hands_every_changed_field_to_the_service_which_refuses_what_it_must(
    client, editor, source, monkeypatch
):
    """A field on the form that the service does not allow is refused out loud, never
    dropped while the admin says "changed successfully"."""
    client.force_login(editor)
    commitment = make_commitment(source=source, description="As it was.")
    url = f"/admin/commitments/commitment/{commitment.pk}/change/"
    data = changeform_post_data(client.get(url))
    monkeypatch.setitem(COMMITMENT_FIELDS.access, "description", Access.READ_ONLY)
    data["description_en"] = "Changed."

    response = client.post(url, data)

    assert response.status_code == 200  # the form again, with the refusal on it
    assert "This field cannot be changed." in response.content.decode()
    commitment.refresh_from_db()
    assert commitment.description == "As it was."
