"""A real Chromium (Debian's, at /usr/bin/chromium) driven by Playwright's Python API.

CI installs the browser with `apt-get install -y chromium` and Playwright from the dev extras;
`playwright install` is never run: it would download a browser build of its own.
"""

from urllib.parse import urlparse

import pytest
from django.db import connections

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Every page reports what the Content-Security-Policy refused as a `securitypolicyviolation`
# event; this script (run by Playwright before the page's own, whatever the policy) logs each
# one, so the console listener below sees it beside Chromium's own "Refused to ..." message.
CSP_VIOLATION_MARK = "CSP violation:"
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}`);
});
"""


def is_csp_violation(text: str) -> bool:
    return text.startswith(("Refused to", CSP_VIOLATION_MARK)) or "Content Security Policy" in text


@pytest.fixture
def csp_violations():
    """What the Content-Security-Policy refused on any page of the test: the `page` fixture
    fails the test unless it is empty at the end."""
    return []


@pytest.fixture
def page(monkeypatch, csp_violations):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # (set-up and checks) are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(15_000)
            page.add_init_script(REPORT_CSP_VIOLATIONS)
            page.on(
                "console",
                lambda message: (
                    csp_violations.append(f"{message.text} ({message.location.get('url')})")
                    if is_csp_violation(message.text)
                    else None
                ),
            )
            yield page
        finally:
            browser.close()
            # The test's ORM calls ran beside Playwright's event loop, on a connection of
            # their own: close it, or the test database cannot be dropped at the end.
            connections.close_all()
    assert csp_violations == [], "the Content-Security-Policy refused:\n" + "\n".join(
        csp_violations
    )


def keep_to_server(page, base_url: str) -> list[str]:
    """Abort every request the page makes outside `base_url`'s host; returns the list of those
    it tried (a test asserts it stays empty: no CDN, no outside call)."""
    outside: list[str] = []

    def only_local(route):
        if urlparse(route.request.url).netloc == urlparse(base_url).netloc:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    return outside
