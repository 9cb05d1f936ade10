"""CORS as a browser dashboard on another origin needs it: conditional polls allowed, the
headers it reads exposed, no credentials, and every write refused at the preflight. A
preflight is answered before DRF: no query, no throttle. (The same in a real Chromium:
tests/browser/test_cors_dashboard.py.)"""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ORIGIN = "https://dashboard.example.org"
FEED = "/api/v1/alerts/"


def preflight(client, url: str, method: str, headers: str = ""):
    extra = {"HTTP_ORIGIN": ORIGIN, "HTTP_ACCESS_CONTROL_REQUEST_METHOD": method}
    if headers:
        extra["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"] = headers
    return client.options(url, **extra)


def names(value: str) -> set[str]:
    return {name.strip().lower() for name in value.split(",") if name.strip()}


def test_a_conditional_poll_is_allowed_and_cached_by_the_browser():
    response = preflight(Client(), FEED, "GET", "if-none-match, if-modified-since, authorization")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert {"if-none-match", "if-modified-since", "authorization", "accept"} <= names(
        response["Access-Control-Allow-Headers"]
    )
    assert names(response["Access-Control-Allow-Methods"]) == {"get", "head", "options"}
    assert int(response["Access-Control-Max-Age"]) >= 2 * 60 * 60
    assert "Access-Control-Allow-Credentials" not in response


def test_a_dashboard_reads_the_headers_it_needs():
    response = Client().get(FEED, HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 200
    assert names(response["Access-Control-Expose-Headers"]) == {
        "etag",
        "last-modified",
        "retry-after",
        "content-disposition",
        "link",
        "location",
        "ratelimit",
        "ratelimit-policy",
    }
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_a_preflight_for_a_write_fails(method):
    """POST too: browsers send a POST after any preflight that allowed its headers, whatever
    Access-Control-Allow-Methods says, so the preflight has to fail as a whole."""
    response = preflight(Client(), "/api/v1/commitments/", method, "content-type, authorization")
    assert response.status_code == 200
    for header in ("Allow-Origin", "Allow-Methods", "Allow-Headers", "Max-Age"):
        assert f"Access-Control-{header}" not in response, header


def test_a_preflight_costs_no_query_and_is_never_throttled(settings, django_assert_num_queries):
    # One request a minute: the first GET spends it, the next is a 429.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "anon": "1/min",
        },
    }
    client = Client()
    assert client.get(FEED, HTTP_ORIGIN=ORIGIN).status_code == 200
    assert client.get(FEED, HTTP_ORIGIN=ORIGIN).status_code == 429
    with django_assert_num_queries(0):
        answers = [
            preflight(client, url, "GET", "if-none-match")
            for url in (FEED, "/api/v1/commitments/1/", "/api/v1/no-such-thing/")
            for _ in range(5)
        ]
    assert {response.status_code for response in answers} == {200}
    assert all(response["Access-Control-Allow-Origin"] == "*" for response in answers)
