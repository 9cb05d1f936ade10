"""The list and the detail send JSON PostgreSQL wrote (commitments_with_api_json); the
serializer stays the definition of the shape (the schema, writes, the browsable API). These
tests hold the two to the same output, value for value, on the seed data and on the edge cases
where SQL and Python write values differently (timestamps, nulls, empty lists, Unicode)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from commitments.api.serializers import CommitmentSerializer
from commitments.api.views import _commitment_etag, commitment_etag
from commitments.models import Commitment
from commitments.selectors import commitments_for_api, commitments_with_api_json
from config.api.renderers import JSONRenderer
from tests.factories import make_actor, make_commitment, make_source, make_user

pytestmark = pytest.mark.django_db

LIST = "/api/v1/commitments/"


def _serializer_json(commitment: Commitment) -> dict:
    """What the serializer path sends, through the same renderer."""
    return json.loads(JSONRenderer().render(CommitmentSerializer(commitment).data))


def _assert_same_everywhere() -> int:
    """Every commitment (drafts included): the SQL JSON equals the serializer's, and the ETag
    from SQL equals the one from the models. Returns how many were compared."""
    by_sql = {
        c.pk: c
        for c in commitments_with_api_json(Commitment.objects.all(), with_nested_updated_at=True)
    }
    staff = make_user(username="parity-staff", is_staff=True)
    compared = 0
    for commitment in commitments_for_api(user=staff):
        row = by_sql[commitment.pk]
        assert json.loads(row.api_json) == _serializer_json(commitment), commitment.reference
        assert _commitment_etag(row.pk, row.version, row.nested_updated_at) == commitment_etag(
            commitment
        )
        compared += 1
    return compared


def test_the_seed_data_reads_the_same_from_sql_and_from_the_serializer(seeded):
    assert _assert_same_everywhere() == Commitment.objects.count() > 20


def test_edge_cases_read_the_same_from_sql_and_from_the_serializer(source):
    actors = [make_actor(name=name) for name in ("Zeta body", "Ärende ✓", 'Quote " and \\')]
    parent = make_commitment(source=source, deadline="in November 2024", tags=["a", "b-c"])
    make_commitment(
        source=make_source(title="Türkmenistan — “quotes”", publisher=""),
        title="Line\nbreak\ttab and emoji 🛰️",
        description="Contrôle: \u0001 \u001f \u2028 </script>",
        parent=parent,
        parties=[(actors[0], "responsible"), (actors[1], "partner"), (actors[2], "partner")],
        announced_on="2024-09-13",
        recurring=True,
    )
    make_commitment(source=source, is_published=False, deadline="2025")  # a draft
    # No deadline, no parties, no tags; timestamps on a whole second (isoformat() then writes
    # no microseconds) and with trailing zeros in the microseconds.
    bare = make_commitment(source=source)
    Commitment.objects.filter(pk=bare.pk).update(
        created_at=datetime(2024, 9, 13, 8, 0, 0, tzinfo=UTC),
        updated_at=datetime(2024, 9, 13, 8, 0, 0, 120000, tzinfo=UTC),
    )
    bare.citations.update(created_at=datetime(2024, 9, 13, 8, 0, 1, 5, tzinfo=UTC))

    assert _assert_same_everywhere() == 4


def test_the_list_and_detail_answer_with_that_json(anon, source):
    commitment = make_commitment(source=source, title="Ашхабад 2024")
    expected = _serializer_json(commitments_for_api(user=None).get(pk=commitment.pk))

    listed = anon.get(LIST)
    assert listed["Content-Type"] == "application/json"
    assert listed.json() == {"next": None, "previous": None, "results": [expected]}

    one = anon.get(f"{LIST}{commitment.pk}/")
    assert one["Content-Type"] == "application/json"
    assert one.json() == expected
    assert one["ETag"] == commitment_etag(commitments_for_api(user=None).get(pk=commitment.pk))


def test_the_browsable_api_still_shows_the_serializer_output(anon, source):
    commitment = make_commitment(source=source, title="Browsable")
    page = anon.get(f"{LIST}{commitment.pk}/", {"format": "api"})
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert "Browsable" in page.content.decode()


def test_a_page_envelope_is_valid_json_with_links(anon, source):
    for number in range(3):
        make_commitment(source=source, reference=f"P-{number}")
    first = anon.get(LIST, {"page_size": 2}).json()
    assert [c["reference"] for c in first["results"]] == ["P-0", "P-1"]
    assert first["previous"] is None and "cursor=" in first["next"]
    second = anon.get(first["next"]).json()
    assert [c["reference"] for c in second["results"]] == ["P-2"]
    assert second["next"] is None and "cursor=" in second["previous"]
