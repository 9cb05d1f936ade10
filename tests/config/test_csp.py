"""The Content-Security-Policy header on the admin, the API docs (and the init script they
load instead of an inline one), public pages and the browsable API; JSON goes without.
Browsers enforcing it: tests/browser/ (every browser test fails on a violation)."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

# A <script> element that runs its own text: no src, and not a JSON data block.
INLINE_SCRIPT = re.compile(r'<script(?![^>]*\bsrc=)(?![^>]*type="application/json")[^>]*>')


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.mark.parametrize(
    "url", ["/admin/login/", "/api/v1/docs/", "/en/", "/en/commitments/", "/api/v1/commitments/"]
)
def test_every_page_carries_a_strict_policy(url):
    response = Client(HTTP_ACCEPT="text/html").get(url)
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval
    assert policy["style-src"] == ["'self'"]  # no <style> element
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    # What the policy would refuse is not in the page either (the browser tests run it).
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html)
    assert "<style" not in html


def test_the_docs_load_their_init_script_from_a_file():
    client = Client()
    page = client.get("/api/v1/docs/").content.decode()
    assert "<script>" not in page and "<style>" not in page
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in script.content


def test_an_api_answer_that_is_no_page_goes_without():
    """JSON is never rendered as a page (nosniff): the alerts poll does not pay for a policy."""
    client = Client()
    assert "Content-Security-Policy" not in client.get("/api/v1/alerts/")
    assert "Content-Security-Policy" not in client.get("/api/v1/docs/?script=")
