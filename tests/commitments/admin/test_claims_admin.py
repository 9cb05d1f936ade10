"""Claims and disputes in the admin: recorded with a quote, shown beside the citations, and a
dispute resolved with its own evidence, keeping both claims."""

from __future__ import annotations

import pytest
from django.urls import reverse

from commitments.models import Claim, ClaimResolution, Commitment
from commitments.services import claim_add
from tests.commitments.admin.helpers import form_errors
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _url(name: str, commitment) -> str:
    return reverse(f"admin:commitments_commitment_{name}", args=[commitment.pk])


# Passages of tests.factories.SOURCE_TEXT long enough to be evidence (EVIDENCE_QUOTE_MIN_LENGTH).
QUOTES = {"2025": "programme will run for 2025", "2027": "will run for 2025-2027"}


def _record_claim(client, commitment, **overrides):
    data = {
        "fact": "deadline",
        "value": "2025",
        "note": "",
        "source": commitment.citations.first().source_id,
        "quote": QUOTES["2025"],
        "expected_version": Commitment.objects.get(pk=commitment.pk).version,
        **overrides,
    }
    return client.post(_url("claim_add", commitment), data)


def test_an_editor_records_claims_and_the_page_shows_the_dispute(editor_client, commitment):
    page = editor_client.get(_url("change", commitment)).content.decode()
    assert _url("claim_add", commitment) in page

    assert _record_claim(editor_client, commitment).status_code == 302
    response = _record_claim(editor_client, commitment, value="2027", quote=QUOTES["2027"])

    assert response.status_code == 302
    assert Commitment.objects.get(pk=commitment.pk).disputed_facts == ["deadline"]
    page = editor_client.get(_url("change", commitment)).content.decode()
    assert "What the sources disagree on" in page
    assert "dispute-badge" in page
    assert _url("dispute_resolve", commitment) in page


def test_a_claim_whose_quote_is_not_in_the_source_is_refused_on_the_form(editor_client, commitment):
    response = _record_claim(editor_client, commitment, quote="the programme ends by 2030")

    assert response.status_code == 200
    assert "does not occur in the source" in " ".join(form_errors(response)["quote"])
    assert not Claim.objects.exists()


def test_an_editor_resolves_a_dispute_keeping_both_claims(editor_client, commitment):
    source = commitment.citations.first().source
    for value in ("2025", "2027"):
        claim_add(
            commitment=commitment, fact="deadline", value=value, source=source, quote=QUOTES[value]
        )
    followed = Claim.objects.get(value="2027")
    commitment.refresh_from_db()

    response = editor_client.post(
        _url("dispute_resolve", commitment),
        {
            "followed_claim": followed.pk,
            "note": "The programme's own period ends in 2027.",
            "source": source.pk,
            "quote": "will run for 2025-2027",
            "expected_version": commitment.version,
        },
    )

    assert response.status_code == 302
    resolution = ClaimResolution.objects.get()
    assert resolution.followed_claim == followed
    assert Claim.objects.filter(commitment=commitment).count() == 2
    page = editor_client.get(_url("change", commitment)).content.decode()
    assert "Followed: The programme&#x27;s own period ends in 2027." in page


def test_staff_outside_the_editors_cannot_record_claims(client, commitment):
    client.force_login(make_user(is_staff=True))

    assert _record_claim(client, commitment).status_code == 403
    assert client.get(_url("dispute_resolve", commitment)).status_code == 403
    assert not Claim.objects.exists()
