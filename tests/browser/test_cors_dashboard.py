"""A dashboard on another origin polls the alerts feed from a real Chromium, as browsers
enforce CORS: without credentials it reads the ETag, an unchanged poll with If-None-Match (a
header that needs a preflight) is a 304, news is a 200 with a new ETag it can read; a write
from that origin is refused by the preflight, whatever token the page holds."""

from __future__ import annotations

import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import pytest
from django.contrib.auth.models import Group

from accounts.services import api_token_create
from commitments.models import Commitment
from commitments.services import commitment_record_status_change
from tests.conftest import editors_group_ensure
from tests.factories import make_commitment, make_source, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUOTE = "Officials said the programme was approved by the Cabinet."

# The dashboard's own script: plain fetch, no credentials, the ETag kept between polls.
DASHBOARD = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Alerts dashboard</title>
<script>
let etag = null;

async function poll(api) {
  const headers = etag ? {"If-None-Match": etag} : {};
  const response = await fetch(api + "/api/v1/alerts/", {headers, credentials: "omit"});
  const seen = {
    status: response.status,
    etag: response.headers.get("ETag"),
    lastModified: response.headers.get("Last-Modified"),
    alerts: null,
  };
  if (response.status === 200) {
    const body = await response.json();
    seen.alerts = body.results.map(
      (alert) => alert.commitment.reference + ":" + alert.status_change.new_status);
  }
  if (seen.etag) etag = seen.etag;
  return seen;
}

async function write(api, token) {
  try {
    const response = await fetch(api + "/api/v1/commitments/", {
      method: "POST",
      headers: {"Content-Type": "application/json", "Authorization": "Bearer " + token},
      body: JSON.stringify({reference: "FROM-ELSEWHERE", title: "Written cross-origin",
                            kind: "event", is_published: true}),
    });
    return "answered " + response.status;
  } catch (error) {
    return "refused: " + error.message;
  }
}
</script></head><body><h1>Alerts</h1></body></html>
"""


class _DashboardHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(DASHBOARD)))
        self.end_headers()
        self.wfile.write(DASHBOARD)

    def log_message(self, *args):
        pass


@pytest.fixture
def dashboard_url():
    """The dashboard's page, served from a second origin: its own server on a free port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _DashboardHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join()


def _status_change(commitment, status: str, source) -> None:
    commitment.refresh_from_db()
    commitment_record_status_change(
        commitment=commitment,
        status=status,
        effective_on=dt.date(2024, 10, 1),
        note="",
        source=source,
        quote=QUOTE,
    )


def test_a_dashboard_on_another_origin_polls_with_its_etag_and_cannot_write(
    live_server, dashboard_url, page
):
    api = live_server.url
    assert urlparse(api).netloc != urlparse(dashboard_url).netloc
    source = make_source(title="Cabinet news")
    commitment = make_commitment(source=source, reference="CYB-2025")
    _status_change(commitment, "adopted", source)
    editors_group_ensure()
    editor = make_user(username="editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    editor_key = api_token_create(user=editor, name="dashboard").key
    cors_errors = []
    page.on(
        "console",
        lambda message: cors_errors.append(message.text) if "CORS" in message.text else None,
    )

    page.goto(dashboard_url)
    assert page.evaluate("() => location.origin") != api

    first = page.evaluate("api => poll(api)", api)
    assert first["status"] == 200
    assert first["etag"]  # readable: exposed to other origins
    assert first["lastModified"]
    assert first["alerts"] == ["CYB-2025:adopted"]

    # If-None-Match needs a preflight, which must allow the header: then a 304.
    unchanged = page.evaluate("api => poll(api)", api)
    assert unchanged["status"] == 304, cors_errors
    assert unchanged["etag"] == first["etag"]

    _status_change(commitment, "in_progress", source)
    news = page.evaluate("api => poll(api)", api)
    assert news["status"] == 200
    assert news["etag"] and news["etag"] != first["etag"]
    assert news["alerts"] == ["CYB-2025:adopted", "CYB-2025:in_progress"]
    assert page.evaluate("api => poll(api)", api)["status"] == 304
    assert cors_errors == []

    # A write with an editor's token: the preflight fails, so the browser never sends it.
    with page.expect_console_message(lambda message: "CORS" in message.text):
        result = page.evaluate("([api, key]) => write(api, key)", [api, editor_key])
    assert result.startswith("refused: "), result
    assert "Response to preflight request doesn't pass access control check" in cors_errors[-1]
    assert not Commitment.objects.filter(reference="FROM-ELSEWHERE").exists()

    # The control: the same request outside a browser's CORS (no Origin) is a write.
    control = page.request.post(
        f"{api}/api/v1/commitments/",
        headers={"Authorization": f"Bearer {editor_key}"},
        data={"reference": "FROM-ELSEWHERE", "title": "Written", "kind": "event"},
    )
    assert control.status == 201, control.text()
