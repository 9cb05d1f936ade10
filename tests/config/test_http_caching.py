"""Who may keep an API answer (config.middleware.ApiCacheControlMiddleware): an anonymous read
is public for API_CACHE_SECONDS, an answer to a token or a session is private, and every read
says what it varies on. ETags and 304s are the views' own, unchanged."""

import pytest
from django.http import HttpResponse
from django.urls import reverse
from rest_framework.test import APIClient

from config.middleware import ApiCacheControlMiddleware
from tests.api_fixtures import anon, reader, staff  # noqa: F401
from tests.factories import make_user

PUBLIC = "public, max-age=30"  # API_CACHE_SECONDS' default
PRIVATE = "private, no-cache"
VARY = {"accept", "authorization", "cookie", "origin"}


def _reads(commitment) -> dict[str, str]:
    return {
        "list": reverse("commitment-list"),
        "detail": reverse("commitment-detail", args=[commitment.pk]),
        "alerts": reverse("alert-feed"),
        "stats": reverse("stats"),
        "calendar": reverse("deadline-calendar"),
    }


def _vary(response) -> set[str]:
    return {name.strip().lower() for name in response["Vary"].split(",")}


@pytest.fixture
def session():
    client = APIClient()
    client.force_login(make_user(username="signed-in"))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("read", ["list", "detail", "alerts", "stats", "calendar"])
@pytest.mark.parametrize(
    ("caller", "expected"),
    [("anon", PUBLIC), ("reader", PRIVATE), ("staff", PRIVATE), ("session", PRIVATE)],
)
def test_anonymous_reads_are_public_for_a_while_and_the_others_private(
    request, commitment, read, caller, expected
):
    client = request.getfixturevalue(caller)

    response = client.get(_reads(commitment)[read])

    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == expected
    assert _vary(response) >= VARY


@pytest.mark.django_db
@pytest.mark.parametrize("read", ["detail", "alerts", "stats"])
def test_a_304_says_the_same_as_its_200(anon, reader, commitment, read):  # noqa: F811
    url = _reads(commitment)[read]
    for client, expected in ((anon, PUBLIC), (reader, PRIVATE)):
        first = client.get(url)

        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

        assert again.status_code == 304
        assert again["ETag"] == first["ETag"]
        assert again["Cache-Control"] == first["Cache-Control"] == expected
        assert _vary(again) >= VARY


@pytest.mark.django_db
def test_the_setting_decides_how_long(anon, commitment, settings):  # noqa: F811
    settings.API_CACHE_SECONDS = 5

    assert anon.get(reverse("commitment-list"))["Cache-Control"] == "public, max-age=5"


@pytest.mark.django_db
def test_a_request_with_a_session_cookie_or_a_bad_token_is_never_public(commitment):
    url = reverse("commitment-list")
    stale_session = APIClient()
    stale_session.cookies["sessionid"] = "expired-or-forged"

    assert stale_session.get(url)["Cache-Control"] == PRIVATE
    # A wrong token is refused: an error is stored by no one.
    refused = APIClient(HTTP_AUTHORIZATION="Bearer nonsense").get(url)
    assert refused.status_code == 401
    assert "public" not in refused.get("Cache-Control", "")


@pytest.mark.django_db
def test_errors_and_writes_get_no_cache_control_and_pages_keep_their_own(anon, staff):  # noqa: F811
    assert not anon.get(reverse("commitment-list"), {"status": "nonsense"}).has_header(
        "Cache-Control"
    )
    created = staff.post(reverse("commitment-list"), {}, format="json")
    assert created.status_code == 400
    assert not created.has_header("Cache-Control")
    assert APIClient().get("/en/")["Cache-Control"] == "public, max-age=60"  # PAGES_CACHE_SECONDS


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, "public, max-age=3600"),
        ({"HTTP_AUTHORIZATION": "Bearer something"}, "max-age=3600, private"),
        ({"HTTP_COOKIE": "sessionid=something"}, "max-age=3600, private"),
    ],
)
def test_a_views_own_cache_control_is_kept_but_never_shared_when_not_anonymous(
    rf, headers, expected
):
    def view(request):
        response = HttpResponse("calendar")
        response["Cache-Control"] = "public, max-age=3600"
        return response

    response = ApiCacheControlMiddleware(view)(rf.get("/api/v1/anything/", **headers))

    assert response["Cache-Control"] == expected
