"""Commitments are sent as JSON PostgreSQL wrote (commitments_with_api_json), from SQL generated
out of CommitmentSerializer (common.json_sql). These tests hold the SQL's output to the
serializer's, value for value, on the seed data and on the edge cases where SQL and Python
write values differently (timestamps, nulls, empty lists, Unicode)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from rest_framework import serializers

from commitments.api.serializers import CommitmentSerializer, CommitmentStaffSerializer
from commitments.api.views import commitment_etag
from commitments.models import Actor, Commitment
from commitments.selectors import commitments_with_api_json
from common.json_sql import json_sql
from config.api.renderers import JSONRenderer
from tests.factories import make_actor, make_commitment, make_source

pytestmark = pytest.mark.django_db

LIST = "/api/v1/commitments/"


def _serializer_json(commitment: Commitment, serializer=CommitmentSerializer) -> dict:
    """What the serializer writes, through the API's renderer."""
    return json.loads(JSONRenderer().render(serializer(commitment).data))


def _assert_same_everywhere(*, staff: bool = False) -> int:
    """Every commitment (drafts included): the SQL JSON equals the serializer's, keys in the
    same order, in the active language. Returns how many were compared."""
    rows = commitments_with_api_json(Commitment.objects.all(), staff=staff)
    by_sql = {c.pk: c.api_json for c in rows}
    serializer = CommitmentStaffSerializer if staff else CommitmentSerializer
    compared = 0
    for commitment in Commitment.objects.prefetch_related("parties__actor", "citations__source"):
        from_sql = json.loads(by_sql[commitment.pk])
        from_python = _serializer_json(commitment, serializer)
        assert from_sql == from_python, commitment.reference
        assert list(from_sql) == list(from_python)
        compared += 1
    return compared


def test_the_seed_data_reads_the_same_from_sql_and_from_the_serializer(seeded):
    assert _assert_same_everywhere() == Commitment.objects.count() > 20


@pytest.mark.parametrize("language", ["ru", "tk"])
def test_the_seed_reads_the_same_from_sql_and_python_in_every_language(seeded, language):
    # Some texts without a translation, and one the source gave: fallbacks and origins too.
    Commitment.objects.filter(pk__in=Commitment.objects.order_by("pk")[:3].values("pk")).update(
        description_ru=None, description_tk=""
    )
    Actor.objects.filter(pk=Actor.objects.order_by("pk")[0].pk).update(
        name_tk=None, translation_origins={"ru": "source"}
    )
    with translation.override(language):
        assert _assert_same_everywhere() == Commitment.objects.count()
        assert _assert_same_everywhere(staff=True) == Commitment.objects.count()
        one = json.loads(
            commitments_with_api_json(Commitment.objects.order_by("pk")).first().api_json
        )
    assert one["translation"]["language"] == language
    assert one["translation"]["fallback"] == ["description"]


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
    expected = _serializer_json(Commitment.objects.get(pk=commitment.pk))

    listed = anon.get(LIST)
    assert listed["Content-Type"] == "application/json"
    assert listed.json() == {"next": None, "previous": None, "results": [expected]}

    one = anon.get(f"{LIST}{commitment.pk}/")
    assert one["Content-Type"] == "application/json"
    assert one.json() == expected
    assert one["ETag"] == commitment_etag(one.content.decode())


def test_the_etag_follows_what_the_commitment_shows_a_renamed_actor_included(anon, source):
    actor = make_actor(name="Old name")
    commitment = make_commitment(source=source, parties=[(actor, "responsible")])
    before = anon.get(f"{LIST}{commitment.pk}/")["ETag"]
    assert anon.get(f"{LIST}{commitment.pk}/")["ETag"] == before  # stable while unchanged
    Actor.objects.filter(pk=actor.pk).update(name="New name")
    after = anon.get(f"{LIST}{commitment.pk}/")
    assert after.json()["parties"][0]["actor"]["name"] == "New name"
    assert after["ETag"] != before


def test_a_field_the_generator_cannot_write_in_sql_is_named():
    class WithAMethod(serializers.ModelSerializer):
        shouting = serializers.SerializerMethodField()

        class Meta:
            model = Commitment
            fields = ["id", "shouting"]

        def get_shouting(self, commitment):
            return commitment.title.upper()

    with pytest.raises(ImproperlyConfigured, match="'shouting'"):
        json_sql(WithAMethod, "c")


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
