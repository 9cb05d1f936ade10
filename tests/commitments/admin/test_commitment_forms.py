"""Adding and changing a commitment in the admin: every save goes through the services."""

from datetime import date

from django.urls import reverse

from commitments.choices import Status
from commitments.models import Citation, Commitment, StatusChange
from commitments.services import commitment_update
from tests.commitments.admin.helpers import changeform_post_data, form_errors, inline_prefix
from tests.factories import make_actor, make_commitment

ADD_URL = reverse("admin:commitments_commitment_add")


def change_url(commitment):
    return reverse("admin:commitments_commitment_change", args=[commitment.pk])


def add_form_data(editor_client, source, actor, **overrides):
    response = editor_client.get(ADD_URL)
    data = changeform_post_data(response)
    parties = inline_prefix(response, "parties")
    citations = inline_prefix(response, "add citations")
    data.update(
        {
            "reference": "TM-FORUM-2024",
            "title_en": "Regional forum in Ashgabat",
            "kind": "event",
            "status": Status.ADOPTED,
            "deadline": "in November 2024",
            "tags": "digital, Regional",
            f"{parties}-0-actor": actor.pk,
            f"{parties}-0-role": "proposer",
            f"{citations}-0-source": source.pk,
            f"{citations}-0-quote": "to hold a regional forum in Ashgabat in November 2024",
        }
    )
    data.update(overrides)
    return data, citations


def test_adding_a_commitment_creates_it_with_its_party_citation_status_and_deadline(
    editor_client, source
):
    actor = make_actor(name="Ministry of Foreign Affairs")
    data, _ = add_form_data(editor_client, source, actor)

    response = editor_client.post(ADD_URL, data)

    assert response.status_code == 302, form_errors(response)
    commitment = Commitment.objects.get(reference="TM-FORUM-2024")
    assert commitment.status == Status.ADOPTED
    assert commitment.deadline_edtf == "2024-11"
    assert commitment.deadline_last_day == date(2024, 11, 30)
    assert commitment.tags == ["digital", "regional"]  # normalised by the service
    assert [(p.actor, p.role) for p in commitment.parties.all()] == [(actor, "proposer")]
    assert commitment.citations.get().source == source
    assert commitment.history.first().history_user.username == "editor"


def test_a_new_commitment_citing_a_quote_missing_from_the_source_is_refused(editor_client, source):
    data, citations = add_form_data(editor_client, source, make_actor(), **{})
    data[f"{citations}-0-quote"] = "a regional forum in Paris"

    response = editor_client.post(ADD_URL, data)

    assert response.status_code == 200
    formset = next(
        f.formset
        for f in response.context["inline_admin_formsets"]
        if f.formset.prefix == citations
    )
    assert "does not occur in the source" in formset.forms[0].errors["quote"][0]
    assert not Commitment.objects.filter(reference="TM-FORUM-2024").exists()


def test_a_deadline_that_cannot_be_understood_is_refused_on_the_add_form(editor_client, source):
    data, _ = add_form_data(editor_client, source, make_actor(), deadline="when pigs fly")

    response = editor_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert "Accepted forms:" in form_errors(response)["deadline"][0]
    assert not Commitment.objects.exists()


def test_a_refusal_only_the_service_makes_is_shown_on_its_field_and_nothing_is_saved(
    editor_client, source
):
    programme = make_commitment(source=source, reference="PROGRAMME")
    milestone = make_commitment(source=source, reference="MILESTONE", parent=programme)
    programme.refresh_from_db()  # a published milestone moved the programme's version on
    data = changeform_post_data(editor_client.get(change_url(programme)))
    data.update(
        {"parent": milestone.pk, "title_en": "Renamed"}
    )  # a cycle: only the service sees it

    response = editor_client.post(change_url(programme), data)

    assert response.status_code == 200
    assert form_errors(response)["parent"] == [
        "A commitment cannot be its own parent, directly or through others."
    ]
    unchanged = Commitment.objects.get(pk=programme.pk)
    assert (unchanged.parent, unchanged.title, unchanged.version) == (
        None,
        programme.title,
        programme.version,
    )


def test_changing_plain_fields_goes_through_the_service_and_bumps_the_version(
    editor_client, commitment
):
    response = editor_client.get(change_url(commitment))
    data = changeform_post_data(response)
    data.update({"title_en": "National cyber-security programme 2025-2027", "tags": "digital"})

    response = editor_client.post(change_url(commitment), data)

    assert response.status_code == 302, form_errors(response)
    changed = Commitment.objects.get(pk=commitment.pk)
    assert changed.title == "National cyber-security programme 2025-2027"
    assert changed.tags == ["digital"]
    assert changed.version == commitment.version + 1
    assert changed.history.first().history_user.username == "editor"


def test_saving_the_page_unchanged_writes_nothing(editor_client, commitment):
    data = changeform_post_data(editor_client.get(change_url(commitment)))

    response = editor_client.post(change_url(commitment), data)

    assert response.status_code == 302
    assert Commitment.objects.get(pk=commitment.pk).version == commitment.version


def test_a_status_posted_with_the_change_form_is_ignored(editor_client, commitment):
    data = changeform_post_data(editor_client.get(change_url(commitment)))
    data.update({"status": Status.COMPLETED, "deadline_edtf": "2020", "title_en": "Renamed"})

    editor_client.post(change_url(commitment), data)

    changed = Commitment.objects.get(pk=commitment.pk)
    assert (changed.title, changed.status, changed.deadline_edtf) == ("Renamed", "proposed", "")
    assert not StatusChange.objects.exists()


def test_a_commitment_changed_meanwhile_is_not_overwritten(editor_client, commitment):
    data = changeform_post_data(editor_client.get(change_url(commitment)))
    commitment_update(commitment=commitment, data={"title": "Someone else's title"})
    data["title_en"] = "My title"

    response = editor_client.post(change_url(commitment), data)

    assert response.status_code == 200
    assert any("changed by someone else" in m for m in form_errors(response)["__all__"])
    assert Commitment.objects.get(pk=commitment.pk).title == "Someone else's title"


def test_a_citation_added_on_the_change_page_is_checked_against_the_source(
    editor_client, commitment
):
    response = editor_client.get(change_url(commitment))
    data = changeform_post_data(response)
    citations = inline_prefix(response, "add citations")
    source_id = commitment.citations.get().source_id
    data.update(
        {
            f"{citations}-0-source": source_id,
            f"{citations}-0-quote": "Officials said the programme was approved by the Cabinet.",
        }
    )

    response = editor_client.post(change_url(commitment), data)

    assert response.status_code == 302, form_errors(response)
    assert commitment.citations.count() == 2
    assert Commitment.objects.get(pk=commitment.pk).version == commitment.version + 1


def test_parties_are_replaced_through_the_service(editor_client, source):
    old, new = make_actor(name="Old ministry"), make_actor(name="New ministry")
    commitment = make_commitment(source=source, parties=[(old, "responsible")])
    response = editor_client.get(change_url(commitment))
    data = changeform_post_data(response)
    data.update({"parties-0-DELETE": "on", "parties-1-actor": new.pk, "parties-1-role": "partner"})

    response = editor_client.post(change_url(commitment), data)

    assert response.status_code == 302, form_errors(response)
    assert [(p.actor, p.role) for p in commitment.parties.all()] == [(new, "partner")]


def test_existing_citations_are_shown_but_not_editable(editor_client, commitment):
    response = editor_client.get(change_url(commitment))

    page = response.content.decode()
    assert "a national cyber-security programme will run for 2025-2027" in page
    readonly = next(
        f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "citations"
    )
    assert not readonly.has_add_permission and not readonly.has_delete_permission
    assert Citation.objects.count() == 1


def test_the_history_page_lists_each_version_and_cannot_revert(editor_client, commitment):
    commitment_update(commitment=commitment, data={"title": "Renamed"})
    history_url = reverse("admin:commitments_commitment_history", args=[commitment.pk])

    response = editor_client.get(history_url)

    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == 2
    record = commitment.history.last()
    revert_url = reverse(
        "admin:commitments_commitment_simple_history", args=[commitment.pk, record.history_id]
    )
    old_version = editor_client.get(revert_url)
    assert old_version.status_code == 200
    assert old_version.context["revert_disabled"] is True
    assert editor_client.post(revert_url, {"title": "Old"}).status_code == 403
    assert Commitment.objects.get(pk=commitment.pk).title == "Renamed"
