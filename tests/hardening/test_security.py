"""Security, each promise a test: drafts stay with staff on every endpoint the schema lists (a
new endpoint is covered the moment it exists); tokens are hashed and revocable; throttles
answer 429 with Retry-After; CORS allows reading and nothing more; admin logins are
rate-limited; PostgreSQL cuts off runaway statements; no secret is committed.

(Who may write where, by role, is test_api_permissions.py; the client's address, failed
tokens and chunked bodies are test_client_address.py; /health/ tests/config/test_health.py.)

(`check --deploy` under the production settings is tests/config/test_settings.py; the request
body cap, 413, is in test_bad_input.py.)
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import resolve
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import api_token_create
from commitments.services import commitment_record_status_change
from tests.api_fixtures import client_with_token, problem_fields
from tests.factories import make_actor, make_commitment, make_source, make_user
from tests.hardening.helpers import (
    Operation,
    api_operations,
    body,
    changed_tables,
    database_fingerprint,
)
from tests.hardening.servers import database_url_for
from tracker.models import Alert
from tracker.services import deadlines_scan
from webhooks.services import webhook_subscription_create

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
QUOTE = "a national cyber-security programme will run for 2025-2027"

# What only the draft carries: none of it may reach anyone but staff, in any form.
DRAFT_MARKERS = (b"DRAFT-ZQX-7", b"Zqxsecret", b"zqx-draft")


@pytest.fixture
def records(db, staff_user):
    """A published commitment and a draft, both overdue, with alerts, a shared actor and
    source; the draft's reference, title word and tag are DRAFT_MARKERS. And a webhook
    subscription of the staff user's, for the owner-scoped endpoints."""
    source = make_source(title="Ministry statement")
    actor = make_actor(slug="mfa", name="Ministry of Foreign Affairs")
    published = make_commitment(
        source=source,
        reference="PUB-1",
        title="Published programme",
        parties=[(actor, "proposer")],
        deadline="2020",
        tags=["cyber"],
    )
    draft = make_commitment(
        source=source,
        reference="DRAFT-ZQX-7",
        title="Zqxsecret fusion plan",
        description="A tokamak by 2020.",
        parties=[(actor, "responsible")],
        deadline="2020",
        tags=["zqx-draft", "fusion"],
        is_published=False,
    )
    for commitment in (published, draft):
        commitment_record_status_change(
            commitment=commitment,
            status="adopted",
            effective_on=date(2024, 1, 10),
            source=source,
            quote=QUOTE,
        )
    deadlines_scan()
    assert Alert.objects.filter(commitment=draft).count() == 2  # status change and overdue
    webhook = webhook_subscription_create(
        owner=staff_user, url="http://127.0.0.1:9/hooks", alert_kinds=["overdue"]
    ).subscription
    return {
        "source": source,
        "actor": actor,
        "published": published,
        "draft": draft,
        "webhook": webhook,
    }


def _ids_for(op: Operation, records) -> list[str]:
    """The records to put in an operation's path: the draft wherever a commitment goes."""
    if not op.path_parameters:
        return [""]
    resource = op.path.split("/")[3]
    ids = {
        "commitments": [records["draft"].pk, records["published"].pk],
        "sources": [records["source"].pk],
        "actors": [records["actor"].pk, records["actor"].slug],
        "webhooks": [records["webhook"].pk],
    }.get(resource)
    if ids is None:
        pytest.fail(f"{op}: say which record its path takes (a new resource?)")
    return [str(value) for value in ids]


def _url(op: Operation, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, op.path)


# Filters that ask for the draft without naming a marker (a marker sent would be echoed back
# in `next` links and error messages, which would be no leak).
def _probes(records) -> dict[str, str]:
    return {
        "is_published": "false",
        "q": "tokamak",
        "tag": "fusion",
        "status": "adopted",
        "commitment_id": str(records["draft"].pk),
        "actor": "mfa",
        "role": "responsible",
        "source": str(records["source"].pk),
        "ordering": "-updated",
        "kind": "programme",
    }


def _reads(op: Operation, records) -> list[tuple[str, dict]]:
    queries = [{}]
    if op.offers_csv():
        queries.append({"format": "csv"})
    queries += [
        {name: value} for name, value in _probes(records).items() if name in op.query_parameters
    ]
    return [(_url(op, value), query) for value in _ids_for(op, records) for query in queries]


def _shows_the_draft(response) -> bool:
    content = body(response).replace(b"\r\n ", b"")  # iCalendar folds long lines
    return any(marker in content for marker in DRAFT_MARKERS)


@pytest.fixture
def callers(reader_user, editor):
    clients = {
        # An address of its own: the schema fetched by the tests is not counted against it.
        "anonymous": APIClient(REMOTE_ADDR="203.0.113.9"),
        "reader token": client_with_token(api_token_create(user=reader_user, name="ngo").key),
        "staff token": client_with_token(api_token_create(user=editor, name="staff").key),
    }
    for client in clients.values():
        client.get("/api/v1/statuses/")  # each token's first use is recorded before any check
    return clients


@pytest.fixture
def no_throttling(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "user": "100000/min"},
    }


def test_no_read_shows_a_draft_to_anyone_but_staff(records, callers, no_throttling):
    reads = [
        (op, *read) for op in api_operations() if op.method == "get" for read in _reads(op, records)
    ]
    assert len(reads) > 40
    seen_by_staff = set()
    for op, url, query in reads:
        for name in ("anonymous", "reader token"):
            response = callers[name].get(url, query)
            assert response.status_code < 500, (name, url, query)
            assert not _shows_the_draft(response), (name, url, query, body(response)[:300])
            if url.startswith(f"/api/v1/commitments/{records['draft'].pk}/"):
                assert response.status_code == 404, (name, url)
        if _shows_the_draft(callers["staff token"].get(url, query)):
            seen_by_staff.add((op.path, query.get("format")))
    # The control: the same requests do show the draft to staff, so the check can fail.
    assert seen_by_staff >= {
        ("/api/v1/commitments/", None),
        ("/api/v1/commitments/", "csv"),
        ("/api/v1/commitments/{id}/", None),
        ("/api/v1/actors/{id}/", None),
        ("/api/v1/alerts/", None),
        ("/api/v1/stats/", None),
        ("/api/v1/deadlines.ics", None),
    }


def test_the_counts_are_of_published_records_for_everyone_but_staff(records, callers):
    stats = {name: client.get("/api/v1/stats/").json() for name, client in callers.items()}
    assert stats["anonymous"]["total"] == stats["reader token"]["total"] == 1
    assert stats["anonymous"]["overdue"] == 1
    assert stats["staff token"]["total"] == 2 and stats["staff token"]["overdue"] == 2


# Who may write where (every unsafe method on every path of the schema, by role) is
# test_api_permissions.py.


def test_a_staff_session_without_csrf_token_cannot_write_through_the_api(records, editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    before = database_fingerprint()
    response = client.post(
        "/api/v1/commitments/",
        json.dumps({"reference": "X-1", "title": "x", "kind": "event"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert changed_tables(before, database_fingerprint()) == []


# --- tokens -----------------------------------------------------------------------------------


def _tables_containing(text: str) -> list[str]:
    quote = connection.ops.quote_name
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(
                f"SELECT count(*) FROM {quote(table)} AS t WHERE strpos(t::text, %s) > 0", [text]
            )
            if cursor.fetchone()[0]:
                found.append(table)
    return found


def test_a_token_is_stored_hashed_and_never_in_clear_anywhere(reader_user):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", reader_user.username, stdout=out, stderr=err)
    key = out.getvalue().strip().splitlines()[-1]
    secret = key.split(".", 1)[1]
    assert client_with_token(key).get("/api/v1/statuses/").status_code == 200  # a real token
    assert len(secret) == 43
    assert _tables_containing(secret) == []
    assert _tables_containing(key) == []
    assert secret not in err.getvalue()  # the log line names the prefix only


def test_a_revoked_token_is_refused_at_once(editor):
    key = api_token_create(user=editor, name="tool").key
    tool = client_with_token(key)
    assert tool.post("/api/v1/commitments/", {}, format="json").status_code == 400  # an editor
    admin = Client()
    admin.force_login(make_user(is_staff=True, is_superuser=True))
    token_id = editor.api_tokens.get().pk
    response = admin.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [token_id]},
    )
    assert response.status_code == 302
    for method in ("get", "post"):
        response = getattr(tool, method)("/api/v1/commitments/", {}, format="json")
        assert response.status_code == 401
        assert response.json()["code"] == "revoked_token"


# --- throttling -------------------------------------------------------------------------------


def _every_read(records) -> list[str]:
    return [_url(op, _ids_for(op, records)[-1]) for op in api_operations() if op.method == "get"]


def _own_throttle_scope(url: str) -> str | None:
    """The scope of a view counted apart from the anon and user limits (deadlines.ics)."""
    return getattr(getattr(resolve(url.split("?")[0]).func, "cls", None), "throttle_scope", None)


WINDOW_START = datetime(2031, 1, 6, 9, 0, 1, tzinfo=UTC)


@pytest.mark.parametrize("caller, scope", [("anonymous", "anon"), ("reader token", "user")])
def test_over_its_limit_a_caller_gets_429_with_retry_after_on_every_endpoint(
    caller, scope, records, callers, settings, request
):
    urls = _every_read(records)
    own_scopes = {_own_throttle_scope(url) for url in urls} - {None}
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            "anon": "100000/min",
            "user": "100000/min",
            scope: "4/min",
            **dict.fromkeys(own_scopes, "4/min"),
        },
    }
    client = callers[caller]
    # The clock stands still at the start of a minute: the limit is counted in fixed windows,
    # and a run that crossed a window's end would start counting again. The callers' first
    # request fell in an earlier window.
    traveller = time_machine.travel(WINDOW_START, tick=False)
    traveller.start()
    request.addfinalizer(traveller.stop)
    assert [client.get(urls[0]).status_code for _ in range(4)] == [200] * 4
    spent = set()
    for url in urls:
        own = _own_throttle_scope(url)
        if own and own not in spent:  # a limit of its own: used up here first
            spent.add(own)
            assert [client.get(url).status_code for _ in range(4)] == [200] * 4, url
        response = client.get(url)
        assert response.status_code == 429, url
        assert 1 <= int(response["Retry-After"]) <= 60, url
        assert problem_fields(response) == {} and response.json()["code"] == "throttled"
    # Others are counted apart: staff (a user of their own) still get through.
    assert callers["staff token"].get(urls[0]).status_code == 200


def test_a_throttled_write_writes_nothing(records, callers, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "user": "1/min"},
    }
    staff = callers["staff token"]  # its one request this minute went on its first use
    before = database_fingerprint()
    body_ = {"reference": "NEW-9", "title": "A throttled write", "kind": "event"}
    response = staff.post("/api/v1/commitments/", body_, format="json")
    assert response.status_code == 429
    assert changed_tables(before, database_fingerprint()) == []


# --- CORS -------------------------------------------------------------------------------------

ORIGIN = "https://dashboard.example.org"


def test_any_origin_may_read_the_api_without_credentials(records, callers):
    response = callers["anonymous"].get("/api/v1/commitments/", HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    exposed = response["Access-Control-Expose-Headers"].lower()
    assert {"etag", "retry-after"} <= {name.strip() for name in exposed.split(",")}


def _preflight(client, url: str, method: str, headers: str = ""):
    extra = {"HTTP_ORIGIN": ORIGIN, "HTTP_ACCESS_CONTROL_REQUEST_METHOD": method}
    if headers:
        extra["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"] = headers
    return client.options(url, **extra)


def _allowed_methods(response) -> set[str]:
    return {m.strip() for m in response.get("Access-Control-Allow-Methods", "").split(",") if m}


def test_a_preflight_allows_reading_and_no_other_method(records, callers):
    client = callers["anonymous"]
    url = f"/api/v1/commitments/{records['published'].pk}/"
    read = _preflight(client, url, "GET", "authorization, if-none-match")
    assert read.status_code == 200
    assert read["Access-Control-Allow-Origin"] == "*"
    assert {"GET", "HEAD", "OPTIONS"} <= _allowed_methods(read)
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = _preflight(client, url, method, "content-type, authorization")
        assert method not in _allowed_methods(response), method
        assert "Access-Control-Allow-Credentials" not in response


def test_nothing_outside_the_api_is_shared_across_origins(callers):
    for url in ("/admin/login/", "/health/"):
        response = callers["anonymous"].get(url, HTTP_ORIGIN=ORIGIN)
        assert "Access-Control-Allow-Origin" not in response, url
        preflight = _preflight(callers["anonymous"], url, "POST")
        assert "Access-Control-Allow-Origin" not in preflight, url


# --- admin logins -----------------------------------------------------------------------------

LOGIN = "/admin/login/"
PASSWORD = "pw-admin"  # tests.factories.make_user


@pytest.fixture
def admin_user(db):
    return make_user(username="admin", is_staff=True, is_superuser=True)


def _login(client: Client, password: str, username: str = "admin", address: str = "10.0.0.7"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def _logged_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def test_the_sixth_wrong_password_is_refused_and_so_is_the_right_one_after_it(admin_user, settings):
    assert settings.AXES_ENABLED and settings.AXES_FAILURE_LIMIT == 5
    client = Client()
    answers = [_login(client, f"wrong-{attempt}").status_code for attempt in range(1, 7)]
    assert answers[:4] == [200, 200, 200, 200]  # the form again, with its error
    assert answers[4:] == [429, 429]  # the fifth failure locks; the sixth is refused
    response = _login(client, PASSWORD)
    assert response.status_code == 429
    message = response.content.decode()
    assert "Too many failed logins" in message and "15 minutes" in message
    assert int(response["Retry-After"]) == 15 * 60
    assert not _logged_in(client)
    # The cool-off ends: the right password works again.
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = _login(client, PASSWORD)
        assert response.status_code == 302 and response["Location"] == "/admin/"
        assert _logged_in(client)


def test_the_lockout_is_of_one_username_from_one_address(admin_user):
    make_user(username="editor", is_staff=True)
    for attempt in range(5):
        _login(Client(), f"wrong-{attempt}")
    assert _login(Client(), PASSWORD).status_code == 429
    assert _login(Client(), "pw-editor", username="editor").status_code == 302
    assert _login(Client(), PASSWORD, address="10.0.0.8").status_code == 302


def test_a_successful_login_starts_the_count_again(admin_user):
    for _ in range(4):
        _login(Client(), "wrong")
    assert _login(Client(), PASSWORD).status_code == 302
    assert [_login(Client(), "wrong").status_code for _ in range(4)] == [200] * 4


def test_api_tokens_are_not_touched_by_the_login_lockout(admin_user):
    for _ in range(6):
        _login(Client(), "wrong")
    key = api_token_create(user=admin_user, name="tool").key
    assert client_with_token(key).post("/api/v1/commitments/", {}, format="json").status_code == 400


# --- the environment the limits are read from ---------------------------------------------------


def _settings_in_child(**environment: str) -> dict:
    """The settings a fresh process reads from this environment, and what its database
    connection says about statement_timeout (and does with a statement over it)."""
    code = """
import json
from django.conf import settings
from django.db import connection, OperationalError
with connection.cursor() as cursor:
    cursor.execute("SHOW statement_timeout")
    timeout = cursor.fetchone()[0]
    try:
        cursor.execute("SELECT pg_sleep(2)")
        cancelled = False
    except OperationalError as error:
        cancelled = "statement timeout" in str(error)
print(json.dumps({
    "rates": settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
    "failure_limit": settings.AXES_FAILURE_LIMIT,
    "cooloff_seconds": settings.AXES_COOLOFF_TIME.total_seconds(),
    "body_limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
    "statement_timeout": timeout,
    "cancelled": cancelled,
}))
"""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url_for(),
            **environment,
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_limits_come_from_the_environment_and_statements_are_cut_off():
    child = _settings_in_child(
        API_THROTTLE_ANON="7/min",
        API_THROTTLE_USER="70/hour",
        API_THROTTLE_CALENDAR="700/hour",
        AXES_FAILURE_LIMIT="3",
        AXES_COOLOFF_MINUTES="45",
        DATA_UPLOAD_MAX_MEMORY_SIZE="4096",
        DATABASE_STATEMENT_TIMEOUT_MS="300",
    )
    assert child["rates"] == {"anon": "7/min", "user": "70/hour", "calendar": "700/hour"}
    assert (child["failure_limit"], child["cooloff_seconds"]) == (3, 45 * 60)
    assert child["body_limit"] == 4096
    assert child["statement_timeout"] == "300ms"
    assert child["cancelled"], "a statement over the timeout was not cut off"


def test_a_statement_timeout_is_in_force_on_the_apps_connections(settings):
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "30s"  # DATABASE_STATEMENT_TIMEOUT_MS, by default
    assert "statement_timeout=30000" in settings.DATABASES["default"]["OPTIONS"]["options"]


# --- no secret in the repository ----------------------------------------------------------------

# Settings files that hold clearly marked non-secrets (a local default, the test suite's key).
ALLOWED_SECRET_LITERALS = {"config/settings/local.py", "config/settings/test.py"}
SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN ([A-Z]+ )*PRIVATE KEY( BLOCK)?-----"),
    "AWS access key id": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "AWS secret access key": re.compile(
        r"aws_?secret_?access_?key\s*[=:]\s*['\"]?[A-Za-z0-9/+]{40}", re.IGNORECASE
    ),
    # A name that ends as a secret's does (SECRET_KEY, DB_PASSWORD, GITHUB_TOKEN) given a
    # literal of 16 characters or more.
    "secret assignment": re.compile(
        r"""\b[A-Z_]*(SECRET(_KEY)?|PASSWORD|API_KEY|PRIVATE_KEY|TOKEN)\s*[=:]\s*["'][^"'\s]{16,}["']"""
    ),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[baprs]-[A-Za-z0-9-]{10,}"),
}


def _repository_files() -> list[Path]:
    """Tracked files and new ones not ignored: what a commit would publish."""
    result = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    names = [name for name in result.stdout.decode().split("\0") if name]
    assert len(names) > 50, "git ls-files found too little: is this a checkout?"
    return [ROOT / name for name in names if (ROOT / name).is_file()]


def _secrets_in(text: str) -> list[str]:
    return [name for name, pattern in SECRET_PATTERNS.items() if pattern.search(text)]


def test_the_secret_patterns_catch_what_they_are_for():
    """The scanner's own control: each pattern finds a made-up secret of its kind."""
    samples = {
        "private key": "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIE...",
        "AWS access key id": "key = " + "AKIA" + "ABCDEFGHIJKLMNOP",
        "AWS secret access key": "aws_secret_access_key = " + "a" * 40,
        "secret assignment": 'SECRET_KEY = "' + "k" * 50 + '"',
        "GitHub token": "ghp_" + "a" * 36,
        "Slack token": "xoxb-" + "1" * 12,
    }
    for name, sample in samples.items():
        assert name in _secrets_in(sample), name
    assert _secrets_in('SECRET_KEY = env("DJANGO_SECRET_KEY")') == []
    assert _secrets_in('PASSWORD_FILE_NAME = "admin-password.txt"') == []


def test_no_secret_is_committed():
    found = []
    for path in _repository_files():
        relative = path.relative_to(ROOT).as_posix()
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary
        for name in _secrets_in(text):
            if name == "secret assignment" and relative in ALLOWED_SECRET_LITERALS:
                continue
            found.append(f"{relative}: {name}")
    assert found == []


def test_the_allowed_literals_are_marked_as_non_secrets():
    for relative in ALLOWED_SECRET_LITERALS:
        for line in (ROOT / relative).read_text().splitlines():
            if _secrets_in(line):
                assert "not-a-secret" in line, f"{relative}: {line}"
