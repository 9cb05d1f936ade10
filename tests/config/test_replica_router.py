"""The replicas' router in this process: which alias each kind of read and write gets while
a request reads a replica (`tests/hardening/test_replicas.py` runs a real one)."""

from __future__ import annotations

import pytest
from django.db import transaction

from commitments.models import Commitment
from config import replicas
from config.replicas import ReplicaRouter, _client_keys

# Outside a transaction: the test case's own would send every read to the primary.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def reading_a_replica():
    reset = replicas._read_alias.set("replica1")
    yield
    replicas._read_alias.reset(reset)


def test_reads_go_to_the_requests_replica_and_everything_else_to_the_primary(reading_a_replica):
    router = ReplicaRouter()

    assert router.db_for_read(Commitment) == "replica1"
    assert router.db_for_write(Commitment) == "default"
    with transaction.atomic():  # a read inside a transaction sees that transaction's writes
        assert router.db_for_read(Commitment) == "default"
    assert router.allow_migrate("default", "commitments") is True
    assert router.allow_migrate("replica1", "commitments") is False
    # select_for_update is routed as a write by Django itself.
    assert Commitment.objects.select_for_update().db == "default"


def test_without_a_request_choosing_a_replica_reads_stay_on_the_primary():
    assert ReplicaRouter().db_for_read(Commitment) == "default"
    assert replicas.replica_health.choose() is None  # no replica configured here


def test_a_client_is_known_by_its_token_and_by_the_session_it_came_with_or_was_given(rf):
    from django.http import HttpResponse

    request = rf.get("/", HTTP_AUTHORIZATION="Bearer ct_1.x")
    request.COOKIES["sessionid"] = "old"
    response = HttpResponse()
    response.set_cookie("sessionid", "new")

    keys = _client_keys(request, response)
    assert len(keys) == 3 and len(set(keys)) == 3
    assert all("ct_1" not in key and "old" not in key for key in keys)  # digests only
    assert _client_keys(rf.get("/")) == []  # anonymous: nothing to remember
