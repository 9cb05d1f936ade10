"""The admin side of issue 14's findings: a deadline change between long deadlines is saved
(it was a 500: the history's change reason was varchar(100)), and a quote too short to be
evidence is a form error, in the admin and in the intake, by the services' one rule."""

from __future__ import annotations

import pytest
from django.urls import reverse

from commitments.models import Commitment, DeadlineChange, StatusChange
from tests.commitments.admin.helpers import form_errors
from tests.commitments.admin.test_deadline_change import post_deadline_change
from tests.commitments.admin.test_status_change import post_status_change
from tests.commitments.api.test_input_refusals import long_deadline
from tests.factories import make_commitment, make_source
from tests.intake.helpers import candidate_fields, suggestions_computed

pytestmark = pytest.mark.django_db


def test_a_change_between_two_long_deadlines_is_saved_from_the_admin(editor_client, source):
    old, new = long_deadline("in November 2030"), long_deadline("in December 2031")
    commitment = make_commitment(source=source, deadline=old)

    response = post_deadline_change(editor_client, commitment, deadline=new)

    assert response.status_code == 302, form_errors(response)
    assert DeadlineChange.objects.get(commitment=commitment).new_text == new
    reason = Commitment.history.filter(id=commitment.pk).first().history_change_reason
    assert len(reason) > 300
    history = editor_client.get(
        reverse("admin:commitments_commitment_history", args=[commitment.pk])
    )
    assert history.status_code == 200


def test_a_short_quote_is_a_form_error_on_the_status_change_page(editor_client, commitment):
    response = post_status_change(editor_client, commitment, quote="programme")

    assert response.status_code == 200
    assert any("at least 20 characters" in m for m in form_errors(response)["quote"])
    assert not StatusChange.objects.filter(commitment=commitment).exists()


def test_a_short_quote_is_a_form_error_in_the_intake(editor_client):
    text = "It is proposed to hold a regional forum in Ashgabat in November 2024."
    source = make_source(text=text)
    suggestions_computed(source)

    response = editor_client.post(
        reverse("admin:sources_source_suggest", args=[source.pk]),
        {
            **candidate_fields(source, 1),
            "c1-reference": "FORUM",
            "c1-title": "Forum",
            "c1-kind": "event",
            "c1-status": "proposed",
            "c1-deadline": "in November 2024",
            "c1-quote": "forum",
        },
    )

    assert response.status_code == 200
    assert "at least 20 characters" in response.content.decode()
    assert not Commitment.objects.filter(reference="FORUM").exists()
