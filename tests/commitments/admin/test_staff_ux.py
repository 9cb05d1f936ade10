"""The admin as staff meet it: its name, one date format in the tracker's time zone, a
status form without the current status, a history in words, the source's text at hand."""

import time_machine
from django.test import Client
from django.urls import reverse

from commitments.services import commitment_record_status_change
from tests.factories import make_commitment, make_source


def test_the_admin_is_named_for_the_tracker(editor_client):
    page = editor_client.get(reverse("admin:index")).content.decode()

    assert "Commitment tracker — staff" in page
    assert "Django administration" not in page


@time_machine.travel("2025-05-31 20:30:00+00:00", tick=False)
def test_times_are_shown_in_the_tracker_time_zone_and_dates_in_one_format(editor_client, source):
    # 20:30 UTC is 01:30 the next day in Ashgabat (UTC+5), where "today" is.
    commitment = make_commitment(source=source, deadline="in November 2024")

    page = editor_client.get(
        reverse("admin:commitments_commitment_change", args=[commitment.pk])
    ).content.decode()

    assert "2025-06-01 01:30 +05" in page
    assert "2024-11-01 to 2024-11-30" in page
    assert "May 31, 2025" not in page and "June 1, 2025" not in page


def test_the_status_form_does_not_offer_the_current_status(editor_client, commitment):
    response = editor_client.get(
        reverse("admin:commitments_commitment_status_change", args=[commitment.pk])
    )

    page = response.content.decode()
    assert '<option value="proposed"' not in page
    assert '<option value="adopted"' in page
    assert 'class="quote-picker-panel"' in page
    assert reverse("admin:sources_source_text", args=[0]) in page


def test_the_source_text_is_served_to_the_quote_picker(editor_client):
    source = make_source(text="The whole text.\nWith its lines.")
    url = reverse("admin:sources_source_text", args=[source.pk])

    assert editor_client.get(url).json() == {
        "id": source.pk,
        "title": source.title,
        "text": "The whole text.\nWith its lines.",
    }
    assert Client().get(url).status_code == 302  # anonymous: to the login page


def test_the_history_says_who_in_words_and_the_change_in_labels(editor_client, editor, source):
    commitment = make_commitment(source=source)  # written by no signed-in user
    commitment_record_status_change(
        commitment=commitment,
        status="in_progress",
        effective_on=commitment.created_at.date(),
        source=source,
        quote="Officials said the programme was approved by the Cabinet.",
        recorded_by=editor,
    )

    page = editor_client.get(
        reverse("admin:commitments_commitment_history", args=[commitment.pk])
    ).content.decode()

    assert "Status: Proposed → In progress" in page
    assert "proposed → in_progress" not in page
    assert "System (no user)" in page
    assert ">editor<" in page
    assert "Date and time (Asia/Ashgabat)" in page
