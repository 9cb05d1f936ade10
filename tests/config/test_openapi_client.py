"""A Python client generated from the committed OpenAPI file (openapi-python-client, as an API
user would) works against a live server: anonymous reads with a plain client, conditional
GETs, and a staff write with its evidence and If-Match."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import subprocess
import sys
import typing
from pathlib import Path

import pytest

from accounts.services import api_token_create
from tests.factories import make_commitment, make_source
from tests.tracker.helpers import EVIDENCE, record_status

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "openapi" / "v1.yaml"
PACKAGE = "tracker_api_client"
# The generator's own formatting step (ruff) is skipped: it changes nothing that runs. Atom is
# text to a client, a WARC file bytes; the generator knows neither media type and would leave
# them out.
CONFIG = (
    "post_hooks: []\ncontent_type_overrides:\n  application/atom+xml: text/plain\n"
    "  application/warc: application/octet-stream\n"
)


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """The generated package, imported; generated once per module (it takes seconds)."""
    where = tmp_path_factory.mktemp("client")
    (where / "config.yaml").write_text(CONFIG)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(COMMITTED),
            "--output-path",
            str(where / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(where / "config.yaml"),
            # A part of the document the generator cannot read would be left out in silence.
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"generation failed:\n{result.stdout}\n{result.stderr}"
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(where))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def operation(name: str):
    """The generated module of an operation, by its operationId's tag and name."""
    tag = name.split("_")[0]
    return importlib.import_module(f"{PACKAGE}.api.{tag}.{name}")


def accepted_clients(name: str) -> set[str]:
    """The client classes an operation's function is typed to take."""
    annotation = inspect.signature(operation(name).sync_detailed).parameters["client"].annotation
    return {kind.__name__ for kind in typing.get_args(annotation) or (annotation,)}


def test_public_reads_take_a_plain_client_and_the_rest_an_authenticated_one(api):
    for public in ("commitments_list", "commitments_retrieve", "alerts_feed", "stats"):
        assert accepted_clients(public) == {"AuthenticatedClient", "Client"}, public
    # Writes, and webhook subscriptions (each token holder's own, reads included).
    for needs_token in ("commitments_status_changes_create", "sources_create", "webhooks_list"):
        assert accepted_clients(needs_token) == {"AuthenticatedClient"}, needs_token


@pytest.mark.django_db(transaction=True)
def test_the_generated_client_reads_anonymously_and_records_a_status_change(
    api, live_server, editor
):
    source = make_source()
    commitment = make_commitment(source=source, reference="GEN-1")
    # An older change: the alerts feed has something to say from the start.
    record_status(make_commitment(source=source), "adopted", on=dt.date(2025, 1, 5))
    staff_key = api_token_create(user=editor, name="generated client").key

    from tracker_api_client import AuthenticatedClient, Client
    from tracker_api_client.models import CommitmentStatus, StatusChangeCreateRequest

    list_commitments = operation("commitments_list")
    retrieve = operation("commitments_retrieve")
    alerts = operation("alerts_feed")
    record = operation("commitments_status_changes_create")

    with Client(base_url=live_server.url, raise_on_unexpected_status=True) as anon:
        page = list_commitments.sync(client=anon)
        assert "GEN-1" in [row.reference for row in page.results]

        detail = retrieve.sync_detailed(commitment.pk, client=anon)
        assert detail.status_code == 200, detail.content
        assert (detail.parsed.reference, detail.parsed.status) == ("GEN-1", "proposed")
        etag = detail.headers["ETag"]
        again = retrieve.sync_detailed(commitment.pk, client=anon, if_none_match=etag)
        assert (again.status_code, again.content) == (304, b"")

        feed = alerts.sync_detailed(client=anon)
        assert feed.status_code == 200, feed.content
        assert [alert.kind for alert in feed.parsed.results] == ["status_changed"]
        feed_etag = feed.headers["ETag"]
        assert alerts.sync_detailed(client=anon, if_none_match=feed_etag).status_code == 304

        # A plain client may call a write all the same (the typing is advice): a 401 problem.
        refused = record.sync_detailed(
            commitment.pk,
            client=anon,
            body=StatusChangeCreateRequest(
                status=CommitmentStatus.IN_PROGRESS,
                effective_on=dt.date(2025, 1, 10),
                source=source.pk,
                quote=EVIDENCE,
            ),
        )
        assert refused.status_code == 401, refused.content

    with AuthenticatedClient(
        base_url=live_server.url, token=staff_key, raise_on_unexpected_status=True
    ) as staff:
        current = retrieve.sync_detailed(commitment.pk, client=staff).headers["ETag"]
        created = record.sync_detailed(
            commitment.pk,
            client=staff,
            if_match=current,
            body=StatusChangeCreateRequest(
                status=CommitmentStatus.IN_PROGRESS,
                effective_on=dt.date(2025, 1, 10),
                note="Work started",
                source=source.pk,
                quote=EVIDENCE,
            ),
        )
        assert created.status_code == 201, created.content
        change = created.parsed
        assert (change.kind, change.old_status, change.new_status) == (
            "status",
            "proposed",
            "in_progress",
        )
        assert change.evidence.source.id == source.pk
        assert change.evidence.quote == EVIDENCE

    with Client(base_url=live_server.url, raise_on_unexpected_status=True) as anon:
        changed = retrieve.sync_detailed(commitment.pk, client=anon, if_none_match=etag)
        assert changed.status_code == 200, changed.content
        assert changed.parsed.status == "in_progress"
        news = alerts.sync_detailed(client=anon, if_none_match=feed_etag)
        assert news.status_code == 200, news.content
        assert [alert.commitment.reference for alert in news.parsed.results][-1] == "GEN-1"
