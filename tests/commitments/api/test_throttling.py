"""Rate limits: counted in Redis, per address for anonymous callers and per user for tokens."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
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


# --- RateLimit headers (draft-ietf-httpapi-ratelimit-headers) ----------------------------------


def _ratelimit(response) -> tuple[str, int, int]:
    """(policy, remaining, seconds until reset) of a RateLimit header."""
    policy, *params = response["RateLimit"].split(";")
    values = dict(param.split("=") for param in params)
    return policy, int(values["r"]), int(values["t"])


def test_each_answer_says_the_policy_and_what_is_left_counting_down(reader, low_limits):
    first, second = reader.get(URL), reader.get(URL)
    assert first["RateLimit-Policy"] == second["RateLimit-Policy"] == '"user";q=3;w=60'
    assert _ratelimit(first)[:2] == ('"user"', 2)
    assert _ratelimit(second)[:2] == ('"user"', 1)
    assert 1 <= _ratelimit(second)[2] <= _ratelimit(first)[2] <= 60


def test_a_public_answer_says_the_policy_but_not_one_callers_count(anon, low_limits):
    """A shared cache (the front door's) hands an anonymous answer to every caller."""
    response = anon.get(URL)
    assert "public" in response["Cache-Control"]
    assert response["RateLimit-Policy"] == '"anon";q=2;w=60'
    assert "RateLimit" not in response


def test_a_429_says_nothing_is_left_and_when_it_resets(anon, low_limits):
    anon.get(URL), anon.get(URL)
    refused = anon.get(URL)
    assert refused.status_code == 429
    policy, remaining, reset = _ratelimit(refused)
    assert (policy, remaining) == ('"anon"', 0)
    assert reset == int(refused["Retry-After"])
    assert refused["RateLimit-Policy"] == '"anon";q=2;w=60'


def test_a_token_is_counted_under_its_own_policy(reader, low_limits):
    response = reader.get(URL)
    assert response["RateLimit-Policy"] == '"user";q=3;w=60'
    assert _ratelimit(response)[:2] == ('"user"', 2)


def test_the_count_starts_again_in_the_next_window(reader, low_limits):
    with time_machine.travel(datetime(2026, 1, 1, 12, 0, 10, tzinfo=UTC), tick=False):
        assert [_ratelimit(reader.get(URL)) for _ in range(3)] == [
            ('"user"', 2, 50),
            ('"user"', 1, 50),
            ('"user"', 0, 50),
        ]
        assert reader.get(URL).status_code == 429
    with time_machine.travel(datetime(2026, 1, 1, 12, 1, 0, tzinfo=UTC), tick=False):
        assert _ratelimit(reader.get(URL)) == ('"user"', 2, 60)


def test_an_uncounted_answer_has_no_ratelimit_headers(anon, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {}}
    response = anon.get(URL)
    assert response.status_code == 200
    assert "RateLimit" not in response and "RateLimit-Policy" not in response
