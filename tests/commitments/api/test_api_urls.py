"""Records link to each other by absolute API URLs (`api_url`) on the service's public address,
whatever host a request came in by: the commitment itself, the source of every citation,
claim, resolution and history entry, and the commitment of an actor's role."""

from __future__ import annotations

import json
from datetime import date

import pytest

from commitments.api.serializers import CommitmentSerializer
from commitments.models import Commitment
from commitments.selectors import commitments_with_api_json
from commitments.services import claim_add, commitment_record_status_change
from config.api.renderers import JSONRenderer
from tests.factories import make_actor, make_commitment, make_source

pytestmark = pytest.mark.django_db

ORIGIN = "https://tracker.example.org"
QUOTE = "a national cyber-security programme will run for 2025-2027"


@pytest.fixture
def public(settings):
    settings.TRACKER_PUBLIC_URL = ORIGIN + "/"  # a trailing slash is not doubled


def test_a_commitment_and_its_citations_sources_link_to_the_api(anon, public, source):
    commitment = make_commitment(source=source)
    claim_add(commitment=commitment, fact="deadline", value="2027", source=source, quote=QUOTE)

    # The test client's host is "testserver": the links name the public address all the same.
    body = anon.get(f"/api/v1/commitments/{commitment.pk}/").json()

    assert body["api_url"] == f"{ORIGIN}/api/v1/commitments/{commitment.pk}/"
    source_url = f"{ORIGIN}/api/v1/sources/{source.pk}/"
    assert body["citations"][0]["source"]["api_url"] == source_url
    assert body["claims"][0]["citation"]["source"]["api_url"] == source_url
    assert anon.get(source_url.removeprefix(ORIGIN)).json()["id"] == source.pk


def test_the_sql_json_follows_the_public_address_as_the_serializer_does(settings, source):
    make_commitment(source=source)
    for origin in ("http://one.example", "https://two.example/"):
        settings.TRACKER_PUBLIC_URL = origin
        commitment = commitments_with_api_json(Commitment.objects.all()).get()
        from_sql = json.loads(commitment.api_json)
        from_python = json.loads(JSONRenderer().render(CommitmentSerializer(commitment).data))
        assert from_sql == from_python
        assert from_sql["api_url"].startswith(origin.rstrip("/") + "/api/v1/")


def test_a_history_entry_links_to_its_evidences_source(anon, public, commitment):
    evidence = make_source(text="The programme started in January 2025 with a first course.")
    commitment_record_status_change(
        commitment=commitment,
        status="in_progress",
        effective_on=date(2025, 1, 10),
        source=evidence,
        quote="The programme started in January 2025 with a first course.",
    )
    (entry,) = anon.get(f"/api/v1/commitments/{commitment.pk}/history/").json()
    assert entry["evidence"]["source"]["api_url"] == f"{ORIGIN}/api/v1/sources/{evidence.pk}/"


def test_an_actors_commitments_link_to_the_api(anon, public, source):
    actor = make_actor(slug="mfa")
    commitment = make_commitment(source=source, parties=[(actor, "proposer")])
    (role,) = anon.get("/api/v1/actors/mfa/").json()["commitments"]
    assert role["commitment"]["api_url"] == f"{ORIGIN}/api/v1/commitments/{commitment.pk}/"
