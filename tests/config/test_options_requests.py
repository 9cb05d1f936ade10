"""OPTIONS on every route answers cleanly (200, 204 or 405), never a 500.

Anonymous `OPTIONS /api/v1/docs/` was a 500: DRF answers OPTIONS with metadata, which the
HTML-only docs view had no template for. The routes are taken from the URL resolver, so a
page added later is covered the day it is added.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Sample values for a route's parameters: an id, a reference or slug, a path.
SAMPLES = {"int": "1", "slug": "x", "str": "x", "path": "x", "uuid": "0" * 32}


def _routes(patterns, prefix: str = "") -> list[str]:
    routes = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            routes += _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if route.startswith("^") or "(?" in route or "\\" in route:
                continue  # regular expressions (the catch-all 404s, static files)
            routes.append(
                "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES[m[1] or "str"], route)
            )
    return sorted(set(routes))


ROUTES = _routes(get_resolver().url_patterns)


def test_the_routes_include_the_html_pages_the_docs_and_the_admin_login():
    assert {"/en/", "/en/commitments/", "/en/timeline/", "/api/v1/docs/", "/api/v1/schema/"} <= set(
        ROUTES
    )
    assert "/admin/login/" in ROUTES


@pytest.mark.parametrize("path", ROUTES)
def test_options_on_every_route_is_answered_without_a_server_error(path):
    response = Client(raise_request_exception=False).options(path)

    # 404: a sample id that does not exist; 301/302: the admin sends anonymous callers to its
    # login page. Anything else is 200, 204 or 405, with the methods it allows.
    assert response.status_code in (200, 204, 301, 302, 404, 405), (path, response.status_code)
    if response.status_code in (200, 204, 405):
        assert response.get("Allow"), path


@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/schema/", "/en/", "/admin/login/"])
def test_options_on_the_docs_schema_pages_and_login_is_a_clean_answer(path):
    response = Client(raise_request_exception=False).options(path)

    assert response.status_code in (200, 204, 405), response.content[:200]
    assert "OPTIONS" in response["Allow"] or response.status_code == 405
