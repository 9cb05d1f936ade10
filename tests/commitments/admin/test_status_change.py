"""Recording a status change from the commitment's page: evidence first, refusals as form
errors (never a 500), and the change in the history on the page."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from commitments.choices import Status
from commitments.models import Commitment, StatusChange
from commitments.selectors import tracker_today
from commitments.services import commitment_update
from tests.commitments.admin.helpers import form_errors
from tests.factories import make_source, make_user

QUOTE = "Officials said the programme was approved by the Cabinet."


def status_change_url(commitment):
    return reverse("admin:commitments_commitment_status_change", args=[commitment.pk])


def change_url(commitment):
    return reverse("admin:commitments_commitment_change", args=[commitment.pk])


def post_status_change(client, commitment, **overrides):
    data = {
        "status": Status.ADOPTED,
        "effective_on": tracker_today().isoformat(),
        "note": "Approved by the Cabinet.",
        "source": commitment.citations.first().source_id,
        "quote": QUOTE,
        "expected_version": commitment.version,
        **overrides,
    }
    return client.post(status_change_url(commitment), data)


def test_the_commitment_page_links_to_recording_a_status_change(editor_client, commitment):
    page = editor_client.get(change_url(commitment)).content.decode()

    assert status_change_url(commitment) in page
    assert "Record a status change" in page


def test_the_status_is_not_editable_on_the_change_form(editor_client, commitment):
    form = editor_client.get(change_url(commitment)).context["adminform"].form

    assert "status" not in form.fields
    assert not {"deadline", "deadline_text", "deadline_edtf"} & set(form.fields)


def test_recording_a_status_change_with_a_quote_adds_it_to_the_history(editor_client, commitment):
    response = post_status_change(editor_client, commitment)

    assert response.status_code == 302
    assert response.url == change_url(commitment)
    change = StatusChange.objects.get(commitment=commitment)
    assert (change.old_status, change.new_status) == (Status.PROPOSED, Status.ADOPTED)
    assert change.evidence.quote == QUOTE
    assert change.recorded_by.username == "editor"
    commitment.refresh_from_db()
    assert commitment.status == Status.ADOPTED
    page = editor_client.get(change_url(commitment)).content.decode()
    assert "Status: Proposed → Adopted" in page
    assert f"“{QUOTE}”" in page
    assert "Approved by the Cabinet." in page
    assert LogEntry.objects.filter(object_id=str(commitment.pk)).exists()


def test_whitespace_in_a_pasted_quote_does_not_matter(editor_client, commitment):
    response = post_status_change(
        editor_client, commitment, quote="Officials said the\r\n programme   was approved"
    )

    assert response.status_code == 302
    assert StatusChange.objects.filter(commitment=commitment).count() == 1


def assert_refused(response, commitment, field, words):
    assert response.status_code == 200
    errors = form_errors(response)
    assert any(words in message for message in errors[field]), errors
    assert "Please correct the errors below." in response.content.decode()
    assert not StatusChange.objects.filter(commitment=commitment).exists()
    unchanged = Commitment.objects.get(pk=commitment.pk)
    assert (unchanged.status, unchanged.version) == (commitment.status, commitment.version)


def test_a_quote_missing_from_the_source_is_refused_on_the_form(editor_client, commitment):
    response = post_status_change(editor_client, commitment, quote="The Cabinet rejected it.")

    assert_refused(response, commitment, "quote", "This quote does not occur in the source")


def test_a_change_without_a_source_is_refused_on_the_form(editor_client, commitment):
    response = post_status_change(editor_client, commitment, source="")

    assert_refused(response, commitment, "source", "This change needs evidence")


def test_a_change_without_a_quote_is_refused_on_the_form(editor_client, commitment):
    response = post_status_change(editor_client, commitment, quote="   ")

    assert_refused(response, commitment, "quote", "This change needs evidence")


def test_the_same_status_again_is_refused_on_the_form(editor_client, commitment):
    response = post_status_change(editor_client, commitment, status=Status.PROPOSED)

    assert_refused(response, commitment, "status", "already 'proposed'")


def test_a_change_that_takes_effect_in_the_future_is_refused(editor_client, commitment):
    tomorrow = tracker_today() + timedelta(days=1)

    response = post_status_change(editor_client, commitment, effective_on=tomorrow.isoformat())

    assert_refused(response, commitment, "effective_on", "is in the future")


def test_a_quote_from_another_source_is_refused(editor_client, commitment):
    other = make_source(text="A different article about something else entirely.")

    response = post_status_change(editor_client, commitment, source=other.pk)

    assert_refused(response, commitment, "quote", f"(id {other.pk})")


def test_a_change_made_meanwhile_by_someone_else_is_a_form_error(editor_client, commitment):
    seen_version = commitment.version
    commitment_update(commitment=commitment, data={"title": "Renamed meanwhile"})

    response = post_status_change(editor_client, commitment, expected_version=seen_version)

    assert response.status_code == 200
    assert any("changed by someone else" in m for m in form_errors(response)["__all__"])
    assert not StatusChange.objects.filter(commitment=commitment).exists()


def test_a_status_may_move_back_with_evidence(editor_client, commitment):
    post_status_change(editor_client, commitment, status=Status.COMPLETED)
    commitment.refresh_from_db()

    response = post_status_change(editor_client, commitment, status=Status.IN_PROGRESS)

    assert response.status_code == 302
    assert list(
        StatusChange.objects.filter(commitment=commitment).values_list("new_status", flat=True)
    ) == [Status.COMPLETED, Status.IN_PROGRESS]


def test_the_form_page_shows_the_current_status_and_the_evidence_fields(editor_client, commitment):
    response = editor_client.get(status_change_url(commitment))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Now: <strong>Proposed</strong>" in page
    for name in ("status", "effective_on", "note", "source", "quote"):
        assert f'name="{name}"' in page
    assert "admin/js/autocomplete.js" in page  # the source is picked by autocomplete


def test_a_staff_user_outside_the_editors_group_cannot_record_a_status_change(client, commitment):
    # Even with the plain view and change permissions on commitments.
    from django.contrib.auth.models import Permission

    staff = make_user(is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(codename__in=["view_commitment", "change_commitment"])
    )
    client.force_login(staff)

    assert client.get(status_change_url(commitment)).status_code == 403
    assert post_status_change(client, commitment).status_code == 403
    assert not StatusChange.objects.filter(commitment=commitment).exists()
    page = client.get(change_url(commitment)).content.decode()
    assert status_change_url(commitment) not in page


@pytest.mark.parametrize("path", ["status-change", "deadline-change"])
def test_an_unknown_commitment_redirects_with_a_message(editor_client, db, path):
    response = editor_client.get(f"/admin/commitments/commitment/999999/{path}/", follow=True)

    assert response.status_code == 200
    assert "doesn\u2019t exist" in response.content.decode()  # Django's own curly apostrophe


def test_no_status_is_preselected_and_one_must_be_chosen(editor_client, commitment):
    form = editor_client.get(status_change_url(commitment)).context["form"]
    assert form["status"].value() is None

    response = post_status_change(editor_client, commitment, status="")

    assert_refused(response, commitment, "status", "This field is required.")
