"""A real Chromium (Debian's, at /usr/bin/chromium) driven by Playwright's Python API.

CI installs the browser with `apt-get install -y chromium` and Playwright from the dev extras;
`playwright install` is never run: it would download a browser build of its own.
"""

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


@pytest.fixture
def page(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # (set-up and checks) are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(15_000)
            yield page
        finally:
            browser.close()
            # The test's ORM calls ran beside Playwright's event loop, on a connection of
            # their own: close it, or the test database cannot be dropped at the end.
            connections.close_all()
