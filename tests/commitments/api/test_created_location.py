"""Every create answers 201 with Location: the new record's absolute URL, or, for a record
with no URL of its own (a status or deadline change, a citation, a claim, a resolution), the
commitment's it was added to, whose ETag it also carries."""

from __future__ import annotations

import pytest
from django.conf import settings

from commitments.services import claim_add
from tests.factories import make_actor, make_commitment, make_source

pytestmark = pytest.mark.django_db

TEXT = (
    "The ministry will open twelve regional centres before the end of 2025. "
    "The centres were approved by the Cabinet in a decree of March 2024. "
    "Officials later said the centres will open by 2027 instead."
)
APPROVED = "The centres were approved by the Cabinet in a decree of March 2024."
BY_2025 = "The ministry will open twelve regional centres before the end of 2025."
BY_2027 = "Officials later said the centres will open by 2027 instead."


@pytest.fixture
def disputed():
    """A commitment whose sources disagree on its deadline (two claims)."""
    source = make_source(text=TEXT)
    commitment = make_commitment(
        source=source, quote=BY_2025, reference="CENTRES", parties=[(make_actor(), "partner")]
    )
    claim = claim_add(
        commitment=commitment, fact="deadline", value="2025", source=source, quote=BY_2025
    )
    claim_add(commitment=commitment, fact="deadline", value="2027", source=source, quote=BY_2027)
    return commitment, source, claim


def _evidence(source) -> dict:
    return {"source": source.pk, "quote": APPROVED}


# (route as the schema names it, path, body, the Location's path: "{id}" is the created
# record's id from the body, "{commitment}" the commitment's)
CREATES = {
    "/api/v1/sources/": (
        lambda c, s, claim: {"title": "Decree", "kind": "legal_act", "text": TEXT},
        "/api/v1/sources/{id}/",
    ),
    "/api/v1/commitments/": (
        lambda c, s, claim: {
            "reference": "NEW-1",
            "title": "Regional centres",
            "kind": "programme",
            "citations": [{"source": s.pk, "quote": BY_2025}],
        },
        "/api/v1/commitments/{id}/",
    ),
    "/api/v1/commitments/{id}/status-changes/": (
        lambda c, s, claim: {"status": "in_progress", "effective_on": "2024-03-20", **_evidence(s)},
        "/api/v1/commitments/{commitment}/",
    ),
    "/api/v1/commitments/{id}/party-status-changes/": (
        lambda c, s, claim: {
            "actor": c.parties.get(role="partner").actor_id,
            "status": "in_progress",
            "effective_on": "2024-03-20",
            **_evidence(s),
        },
        "/api/v1/commitments/{commitment}/",
    ),
    "/api/v1/commitments/{id}/deadline-changes/": (
        lambda c, s, claim: {
            "deadline": "2027",
            "reason": "Moved",
            "effective_on": "2024-03-20",
            "source": s.pk,
            "quote": BY_2027,
        },
        "/api/v1/commitments/{commitment}/",
    ),
    "/api/v1/commitments/{id}/citations/": (
        lambda c, s, claim: _evidence(s),
        "/api/v1/commitments/{commitment}/",
    ),
    "/api/v1/commitments/{id}/claims/": (
        lambda c, s, claim: {"fact": "budget", "value": "twelve centres", **_evidence(s)},
        "/api/v1/commitments/{commitment}/",
    ),
    "/api/v1/commitments/{id}/resolutions/": (
        lambda c, s, claim: {"followed_claim": claim.pk, "note": "The decree.", **_evidence(s)},
        "/api/v1/commitments/{commitment}/",
    ),
    "/api/v1/webhooks/": (
        lambda c, s, claim: {"url": "http://127.0.0.1:9/hooks", "alert_kinds": ["overdue"]},
        "/api/v1/webhooks/{id}/",
    ),
}


@pytest.mark.parametrize("route", sorted(CREATES))
def test_a_create_answers_201_with_the_absolute_location(route, staff, anon, disputed):
    commitment, source, claim = disputed
    body, location = CREATES[route]
    response = staff.post(
        route.format(id=commitment.pk), body(commitment, source, claim), format="json"
    )

    assert response.status_code == 201, response.content
    created = response.json()
    expected = location.format(id=created.get("id"), commitment=commitment.pk)
    assert response["Location"] == settings.TRACKER_PUBLIC_URL.rstrip("/") + expected
    # The Location answers (the path on this server: the test client has no other host).
    followed = staff.get(expected)
    assert followed.status_code == 200
    if "{commitment}" in location:
        assert response["ETag"] == followed["ETag"]


def test_the_table_covers_every_operation_that_answers_201(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    created = {
        path: operation["responses"]["201"]
        for path, operations in schema["paths"].items()
        for operation in operations.values()
        if isinstance(operation, dict) and "201" in operation.get("responses", {})
    }
    assert set(created) == set(CREATES)
    assert all("Location" in response["headers"] for response in created.values())
