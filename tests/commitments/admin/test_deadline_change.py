"""Changing a deadline from the commitment's page: a reason and evidence, like the API."""

from datetime import date

from django.urls import reverse

from commitments.models import Commitment, DeadlineChange
from commitments.selectors import tracker_today
from tests.commitments.admin.helpers import form_errors

QUOTE = "will run for 2025-2027"


def deadline_change_url(commitment):
    return reverse("admin:commitments_commitment_deadline_change", args=[commitment.pk])


def post_deadline_change(client, commitment, **overrides):
    data = {
        "deadline": "for 2025-2027",
        "reason": "The ministry announced the programme's period.",
        "effective_on": tracker_today().isoformat(),
        "source": commitment.citations.first().source_id,
        "quote": QUOTE,
        "expected_version": commitment.version,
        **overrides,
    }
    return client.post(deadline_change_url(commitment), data)


def test_the_commitment_page_links_to_changing_the_deadline(editor_client, commitment):
    page = editor_client.get(
        reverse("admin:commitments_commitment_change", args=[commitment.pk])
    ).content.decode()

    assert deadline_change_url(commitment) in page


def test_a_deadline_in_words_is_set_with_its_period_and_recorded(editor_client, commitment):
    response = post_deadline_change(editor_client, commitment)

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert (commitment.deadline_text, commitment.deadline_edtf) == ("for 2025-2027", "2025/2027")
    assert (commitment.deadline_first_day, commitment.deadline_last_day) == (
        date(2025, 1, 1),
        date(2027, 12, 31),
    )
    change = DeadlineChange.objects.get(commitment=commitment)
    assert (change.old_text, change.new_text) == ("", "for 2025-2027")
    assert change.evidence.quote == QUOTE
    page = editor_client.get(response.url).content.decode()
    assert "Deadline: none → for 2025-2027" in page
    assert "The ministry announced the programme&#x27;s period." in page


def test_the_form_starts_from_the_current_deadline(editor_client, source):
    from tests.factories import make_commitment

    commitment = make_commitment(source=source, deadline="in November 2024")

    form = editor_client.get(deadline_change_url(commitment)).context["form"]

    assert form.initial["deadline"] == "in November 2024"


def assert_refused(response, commitment, field, words):
    assert response.status_code == 200
    errors = form_errors(response)
    assert any(words in message for message in errors[field]), errors
    assert not DeadlineChange.objects.filter(commitment=commitment).exists()
    assert Commitment.objects.get(pk=commitment.pk).deadline_edtf == commitment.deadline_edtf


def test_a_deadline_that_cannot_be_understood_shows_the_accepted_forms(editor_client, commitment):
    response = post_deadline_change(editor_client, commitment, deadline="sometime soonish")

    assert_refused(response, commitment, "deadline", "Accepted forms:")


def test_a_deadline_change_without_a_reason_is_refused(editor_client, commitment):
    response = post_deadline_change(editor_client, commitment, reason="")

    assert_refused(response, commitment, "reason", "needs a reason")


def test_a_deadline_change_with_a_quote_not_in_the_source_is_refused(editor_client, commitment):
    response = post_deadline_change(editor_client, commitment, quote="It will run until 2030.")

    assert_refused(response, commitment, "quote", "does not occur in the source")


def test_an_unchanged_deadline_is_refused(editor_client, commitment):
    post_deadline_change(editor_client, commitment)
    commitment.refresh_from_db()

    response = post_deadline_change(editor_client, commitment)

    assert response.status_code == 200
    assert any("unchanged" in m for m in form_errors(response)["deadline"])
    assert DeadlineChange.objects.filter(commitment=commitment).count() == 1


def test_an_empty_deadline_removes_it_with_evidence(editor_client, commitment):
    post_deadline_change(editor_client, commitment)
    commitment.refresh_from_db()

    response = post_deadline_change(editor_client, commitment, deadline="", reason="Withdrawn.")

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.deadline_last_day is None


def test_a_staff_user_outside_the_editors_group_cannot_change_a_deadline(
    client, staff_user, commitment
):
    client.force_login(staff_user)

    assert post_deadline_change(client, commitment).status_code == 403
    assert not DeadlineChange.objects.exists()
