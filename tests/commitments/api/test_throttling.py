"""Rate limits: counted in Redis, per address for anonymous callers and per user for tokens."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.api_fixtures import problem_fields

pytestmark = pytest.mark.django_db

URL = "/api/v1/statuses/"


@pytest.fixture
def low_limits(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/min", "user": "3/min"},
    }


def test_an_anonymous_caller_over_the_limit_gets_a_429_with_retry_after(anon, low_limits):
    assert [anon.get(URL).status_code for _ in range(2)] == [200, 200]
    response = anon.get(URL)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert problem_fields(response) == {}
    assert response.json()["code"] == "throttled"


def test_a_token_has_its_own_higher_limit(anon, reader, low_limits):
    for _ in range(2):
        anon.get(URL)
    assert anon.get(URL).status_code == 429
    assert [reader.get(URL).status_code for _ in range(3)] == [200, 200, 200]
    assert reader.get(URL).status_code == 429


def test_the_counts_live_in_the_shared_cache(anon, low_limits):
    anon.get(URL)
    anon.get(URL)
    cache.clear()  # another process sees the same Redis: clearing it resets the count
    assert anon.get(URL).status_code == 200


def test_the_default_limits_come_from_the_environment_settings(settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert set(rates) >= {"anon", "user"}


def test_a_windows_count_expires_with_the_window(anon, low_limits):
    anon.get(URL)
    anon.get(URL)
    client = cache._cache.get_client(write=True)
    keys = client.keys(cache.make_key("throttle:anon:*"))
    assert len(keys) == 1
    assert int(client.get(keys[0])) == 2
    assert 0 < client.ttl(keys[0]) <= 61  # a minute's window, plus one second
