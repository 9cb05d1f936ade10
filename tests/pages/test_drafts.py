"""A draft never appears on a public page: not as a row, a link, a quote's owner, a band or a
count, whoever asks (staff too: the pages are the same for everyone, hence cacheable)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from commitments.models import Actor, Commitment
from commitments.services import (
    CitationSpec,
    PartySpec,
    commitment_create,
    commitment_record_status_change,
)
from tracker.services import deadlines_scan

pytestmark = pytest.mark.django_db

DRAFT = "DRAFT-SECRET-9"
DRAFT_TITLE = "Unpublished plan nobody may see"
DRAFT_TAG = "secret-tag"


@pytest.fixture
def draft(public_data):
    """A draft, overdue, tagged, with a status change, quoting a source that a published
    commitment quotes too."""
    dialogue = Commitment.objects.get(reference="TM-2024-04")
    citation = dialogue.citations.first()
    draft = commitment_create(
        reference=DRAFT,
        title=DRAFT_TITLE,
        kind="event",
        status="proposed",
        deadline="in October 2026",
        tags=[DRAFT_TAG, "cybersecurity"],
        is_published=False,
        parties=[PartySpec(Actor.objects.get(slug="osce"), "responsible")],
        citations=[CitationSpec(citation.source, "Ashgabat in November 2024")],
    )
    commitment_record_status_change(
        commitment=draft,
        status="adopted",
        effective_on=dt.date(2026, 11, 1),
        source=citation.source,
        quote="Ashgabat in November 2024",
    )
    # A published milestone of a draft cannot exist: the services refuse to publish it
    # (tests/commitments/api/test_input_refusals.py), so no page can name its parent.
    deadlines_scan()
    assert Commitment.objects.get(reference=DRAFT).is_overdue
    return draft


def _pages(source_id: int) -> list[str]:
    return [
        "/en/",
        "/en/commitments/",
        "/en/commitments/?overdue=true",
        "/en/commitments/?tag=cybersecurity",
        "/en/commitments/?actor=osce",
        "/en/commitments/?status=adopted",
        "/en/commitments/?q=unpublished",
        "/en/commitments/?ordering=-updated",
        "/en/commitments/TM-2024-04/",
        f"/en/sources/{source_id}/",
        "/en/timeline/",
        "/en/timeline/?tag=cybersecurity",
        "/en/timeline/?actor=osce",
    ]


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_no_page_shows_a_draft_in_any_row_link_quote_band_or_count(draft, who, staff_user):
    client = Client()
    if who == "staff":
        client.force_login(staff_user)
    source_id = draft.citations.first().source_id

    without = {}
    for path in _pages(source_id):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert DRAFT not in html, path
        assert DRAFT_TITLE not in html, path
        assert DRAFT_TAG not in html, path
        assert f"/commitments/{draft.pk}/" not in html, path
        without[path] = html

    published = Commitment.objects.filter(is_published=True)
    overview = without["/en/"]
    assert f"{published.count()} published commitments" in overview
    assert f"{published.filter(is_overdue=True).count()} are overdue" in overview
    adopted = without["/en/commitments/?status=adopted"]
    assert f"{published.filter(status='adopted').count()} commitment" in adopted


def test_a_drafts_page_is_the_same_404_as_a_reference_that_does_not_exist(draft, client):
    for_draft = client.get(f"/en/commitments/{DRAFT}/")
    for_nothing = client.get("/en/commitments/NO-SUCH-REF/")

    assert for_draft.status_code == for_nothing.status_code == 404
    assert for_draft.content == for_nothing.content
    assert DRAFT not in for_draft.content.decode()


def test_a_filter_naming_a_draft_is_refused_as_one_naming_nothing(draft, client):
    for_draft = client.get(f"/en/commitments/?parent={DRAFT}")
    for_nothing = client.get("/en/commitments/?parent=NO-SUCH-REF")

    assert for_draft.status_code == for_nothing.status_code == 400
    assert for_draft.content.decode().replace(DRAFT, "X") == (
        for_nothing.content.decode().replace("NO-SUCH-REF", "X")
    )
