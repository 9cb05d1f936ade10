"""Webhook targets inside a private network are refused when the subscription is saved
(and again at delivery: test_delivery.py), unless WEBHOOK_ALLOW_PRIVATE_TARGETS is true."""

from __future__ import annotations

import pytest

from tests.api_fixtures import problem_fields
from tests.hardening.helpers import changed_tables, database_fingerprint
from webhooks.models import WebhookSubscription
from webhooks.targets import address_is_internal

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_refused(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False


def subscribe(client, url: str):
    return client.post("/api/v1/webhooks/", {"url": url, "alert_kinds": ["overdue"]}, format="json")


@pytest.mark.parametrize(
    "url, address",
    [
        ("http://127.0.0.1/hooks", "127.0.0.1"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://[::1]/hooks", "::1"),
        ("http://localhost:8080/hooks", "127.0.0.1"),  # a name that resolves inside
        ("http://10.0.0.7/hooks", "10.0.0.7"),
        ("http://[::ffff:192.168.1.1]/", "192.168.1.1"),
        ("http://0.0.0.0/", "0.0.0.0"),
    ],
)
def test_a_private_target_is_refused_naming_the_url_and_nothing_is_written(
    url, address, private_refused, reader
):
    before = database_fingerprint()

    response = subscribe(reader, url)

    assert response.status_code == 400, response.content
    message = problem_fields(response)["url"]
    assert "resolves to" in message and "private network" in message
    assert address in message or address.split(":")[-1] in message
    assert changed_tables(before, database_fingerprint()) == []


@pytest.mark.parametrize(
    "address",
    [
        "::127.0.0.1",
        "::10.0.0.1",
        "::169.254.169.254",
        # A public IPv4 address in the same form: routed by nobody, refused with the rest.
        "::8.8.8.8",
    ],
)
def test_an_ipv4_compatible_ipv6_target_is_refused_whatever_it_holds(
    address, private_refused, reader
):
    before = database_fingerprint()

    response = subscribe(reader, f"http://[{address}]/hooks")

    assert response.status_code == 400, response.content
    message = problem_fields(response)["url"]
    assert f"resolves to {address}," in message and "private network" in message
    assert changed_tables(before, database_fingerprint()) == []


def test_a_public_address_is_accepted_when_private_targets_are_refused(private_refused, reader):
    # An address literal: resolving it asks no DNS server, and saving calls nothing.
    response = subscribe(reader, "https://93.184.215.14/hooks")
    assert response.status_code == 201, response.content
    assert WebhookSubscription.objects.get().url == "https://93.184.215.14/hooks"


def test_the_test_settings_allow_a_receiver_on_loopback(reader):
    assert subscribe(reader, "http://127.0.0.1:9/hooks").status_code == 201


def test_production_asks_for_https(settings, reader):
    settings.WEBHOOK_REQUIRE_HTTPS = True
    response = subscribe(reader, "http://93.184.215.14/hooks")
    assert response.status_code == 400
    assert problem_fields(response)["url"] == "The URL must start with https://."


@pytest.mark.parametrize(
    "url, field",
    [
        ("ftp://example.org/x", "url"),
        ("https://user:pw@93.184.215.14/", "url"),
        ("not a url", "url"),
        ("http://127.0.0.1:0/hooks", "url"),  # port 0: nothing listens there
    ],
)
def test_other_unusable_targets_are_refused(url, field, reader):
    response = subscribe(reader, url)
    assert response.status_code == 400
    assert field in problem_fields(response)


@pytest.mark.parametrize(
    "address, internal",
    [
        ("8.8.8.8", False),
        ("2a00:1450:4001:80b::200e", False),
        ("100.64.0.1", True),  # carrier-grade NAT
        ("fd00:ec2::254", True),  # a cloud's IPv6 metadata address
        ("fe80::1%eth0", True),
        ("224.0.0.1", True),
        ("172.16.5.4", True),
        ("64:ff9b::7f00:1", True),  # NAT64 of 127.0.0.1
        ("64:ff9b::808:808", False),  # NAT64 of 8.8.8.8
        ("2002:a00:1::", True),  # 6to4 of 10.0.0.1
        ("::7f00:1", True),  # IPv4-compatible (deprecated) 127.0.0.1
        ("::808:808", True),  # IPv4-compatible 8.8.8.8: all of ::/96 is refused
        ("::ffff:808:808", False),  # IPv4-mapped 8.8.8.8: the public address itself
        ("4000::1", True),  # reserved by the IETF, which is_global misses
    ],
)
def test_what_counts_as_inside(address, internal):
    assert address_is_internal(address) is internal
