"""The API docs (Swagger UI) in a real Chromium under the site's Content-Security-Policy:
the operations render, nothing is loaded from outside the server, and the policy refuses
nothing (the `page` fixture fails the test on any violation)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import keep_to_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_renders_the_operations_under_the_policy(live_server, page):
    outside = keep_to_server(page, live_server.url)
    response = page.goto(f"{live_server.url}/api/v1/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]

    # Rendered by the init script (a file, ?script=), from the schema it fetched: the schema is
    # generated on request, which takes seconds on a loaded machine.
    block = page.locator(".opblock", has_text="/api/v1/alerts/").first
    expect(block).to_be_visible(timeout=90_000)
    expect(page.locator(".opblock-tag-section")).not_to_have_count(0)
    block.locator(".opblock-summary").click()
    expect(block.locator(".opblock-body")).to_be_visible()
    assert outside == []


def test_the_guard_sees_what_the_policy_refuses(live_server, page, csp_violations):
    """The check the browser tests rely on can fail: an inline script and an inline <style>
    added to a page served under the policy are refused, and reported."""
    page.goto(f"{live_server.url}/api/v1/docs/")
    for directive, element, text in (
        ("script-src", "script", "window.ranInline = true"),
        ("style-src", "style", "body { color: red }"),
    ):
        with page.expect_console_message(
            lambda message, directive=directive: message.text.startswith(
                f"CSP violation: {directive}"
            )
        ):
            page.evaluate(
                """([element, text]) => {
                    const node = document.createElement(element);
                    node.textContent = text;
                    document.head.append(node);
                }""",
                [element, text],
            )
    assert page.evaluate("() => window.ranInline") is None
    assert [v for v in csp_violations if v.startswith("CSP violation: script-src")]
    assert [v for v in csp_violations if v.startswith("CSP violation: style-src")]
    csp_violations.clear()  # seen: this test's own refusals are not a failure
