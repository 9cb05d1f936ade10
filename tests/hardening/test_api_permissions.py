"""Who may write through the API: Django's permissions, the same the admin asks for.

Every unsafe method on every path of the OpenAPI schema is tried by each role: a documented
write the table below does not list fails the test, so a new write route cannot ship without
someone saying who may use it. A refused role gets 401 (anonymous) or 403 and writes nothing;
an allowed role gets past the permission (an empty body is then a 400 naming the fields, a
cited source's deletion a 409, someone else's subscription a 404).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from accounts.services import api_token_create
from commitments.models import Commitment, StatusChange
from tests.api_fixtures import client_with_token, problem_fields
from tests.factories import make_commitment, make_editor, make_source, make_user
from tests.hardening.helpers import UNSAFE, api_operations, changed_tables, database_fingerprint
from webhooks.services import webhook_subscription_create

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "reader token", "staff outside the group", "editor", "superuser")
EDITORS = {"editor", "superuser"}
# Webhook subscriptions are their owner's own business: any token holder manages theirs.
TOKEN_HOLDERS = {"reader token", "staff outside the group", "editor", "superuser"}

# (method, path as the schema writes it) → the roles allowed past the permission.
WHO_MAY_WRITE = {
    ("post", "/api/v1/commitments/"): EDITORS,
    ("put", "/api/v1/commitments/{id}/"): EDITORS,
    ("patch", "/api/v1/commitments/{id}/"): EDITORS,
    ("post", "/api/v1/commitments/{id}/citations/"): EDITORS,
    ("post", "/api/v1/commitments/{id}/claims/"): EDITORS,
    ("post", "/api/v1/commitments/{id}/deadline-changes/"): EDITORS,
    ("post", "/api/v1/commitments/{id}/resolutions/"): EDITORS,
    ("post", "/api/v1/commitments/{id}/status-changes/"): EDITORS,
    ("post", "/api/v1/commitments/{id}/party-status-changes/"): EDITORS,
    ("post", "/api/v1/commitments/{id}/status-source/"): EDITORS,
    ("post", "/api/v1/sources/"): EDITORS,
    ("put", "/api/v1/sources/{id}/"): EDITORS,
    ("patch", "/api/v1/sources/{id}/"): EDITORS,
    # Editors correct sources but do not delete them (evidence would go): as in the admin.
    ("delete", "/api/v1/sources/{id}/"): {"superuser"},
    # Asking for a new capture of a source's page needs what changing the source needs.
    ("post", "/api/v1/sources/{source_id}/captures/"): EDITORS,
    ("post", "/api/v1/webhooks/"): TOKEN_HOLDERS,
    ("put", "/api/v1/webhooks/{id}/"): TOKEN_HOLDERS,
    ("patch", "/api/v1/webhooks/{id}/"): TOKEN_HOLDERS,
    ("delete", "/api/v1/webhooks/{id}/"): TOKEN_HOLDERS,
    ("post", "/api/v1/webhooks/{id}/test/"): TOKEN_HOLDERS,
    # Writes nothing, but needs what the admin's suggestion page needs: to add commitments.
    ("post", "/api/v1/intake/suggestions/"): EDITORS,
}


@pytest.fixture
def no_throttling(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "user": "100000/min"},
    }


@pytest.fixture
def records(db):
    """A cited source, a commitment, an actor, and a subscription of someone else's."""
    source = make_source()
    commitment = make_commitment(source=source)
    subscription = webhook_subscription_create(
        owner=make_user(username="someone-else"),
        url="http://127.0.0.1:9/hooks",
        alert_kinds=["overdue"],
    ).subscription
    return {
        "commitments": commitment.pk,
        "sources": source.pk,
        "actors": "any-actor",
        "webhooks": subscription.pk,
    }


def _token(user) -> APIClient:
    return client_with_token(api_token_create(user=user, name="tool").key)


def _client(role: str) -> APIClient:
    if role == "anonymous":
        return APIClient()
    if role == "reader token":
        return _token(make_user(username="reader"))
    if role == "staff outside the group":
        return _token(make_user(username="staff", is_staff=True))
    if role == "editor":
        return _token(make_editor(username="editor"))
    return _token(make_user(username="root", is_staff=True, is_superuser=True))


def _unsafe_requests(records) -> list[tuple[str, str, str]]:
    """(method, schema path, url) for every unsafe method on every path the schema lists."""
    paths = sorted({op.path for op in api_operations()})
    requests = []
    for path in paths:
        resource = path.split("/")[3]
        url = path
        if "{" in path:
            assert resource in records, f"{path}: say which record its path takes"
            url = re.sub(r"\{[^}]+\}", str(records[resource]), path)
        requests += [(method, path, url) for method in UNSAFE]
    return requests


def test_every_documented_write_is_in_the_table():
    documented = {(op.method, op.path) for op in api_operations() if op.method in UNSAFE}
    assert documented == set(WHO_MAY_WRITE)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_writes_only_where_its_permissions_say(role, records, no_throttling):
    client = _client(role)
    client.get("/api/v1/statuses/")  # a token's first use is recorded: not a write
    documented = {(op.method, op.path) for op in api_operations()}
    checked = 0
    for method, path, url in _unsafe_requests(records):
        before = database_fingerprint()
        response = getattr(client, method)(url, {}, format="json")
        status = response.status_code
        if (method, path) not in documented:
            # Not offered: refused one way or another (an empty PATCH is a 400 before the
            # 405), and nothing written.
            assert status in (400, 401, 403, 405), (role, method, url, status)
            assert changed_tables(before, database_fingerprint()) == [], (role, method, url)
        elif role in WHO_MAY_WRITE[(method, path)]:
            assert status not in (401, 403, 405), (role, method, url, response.content)
            assert status < 500, (role, method, url, response.content)
            checked += 1
        else:
            assert status == (401 if role == "anonymous" else 403), (role, method, url, status)
            checked += 1
        if status in (401, 403):
            problem_fields(response)
            assert changed_tables(before, database_fingerprint()) == [], (role, method, url)
        if status == 401:
            assert response["WWW-Authenticate"].startswith("Bearer")
    assert checked == len(WHO_MAY_WRITE)


def _body_of_a_status_change(commitment: Commitment) -> dict:
    citation = commitment.citations.get()
    return {
        "status": "adopted",
        "effective_on": date(2024, 11, 1).isoformat(),
        "source": citation.source_id,
        "quote": citation.quote,
    }


def test_a_write_takes_the_permission_itself_not_the_group(records):
    """A staff user holding record_status_change alone records status changes and creates
    nothing else; without it, the same request is a 403 — whatever the group."""
    commitment = Commitment.objects.get(pk=records["commitments"])
    user = make_user(username="recorder", is_staff=True)
    client = _token(user)
    url = f"/api/v1/commitments/{commitment.pk}/status-changes/"
    changes = StatusChange.objects.filter(commitment=commitment).count()
    assert client.post(url, _body_of_a_status_change(commitment), format="json").status_code == 403
    assert StatusChange.objects.filter(commitment=commitment).count() == changes

    user.user_permissions.add(Permission.objects.get(codename="record_status_change"))
    response = client.post(url, _body_of_a_status_change(commitment), format="json")
    assert response.status_code == 201, response.content
    assert StatusChange.objects.filter(commitment=commitment).count() == changes + 1
    response = client.post(
        "/api/v1/commitments/", {"reference": "NEW-1", "title": "T", "kind": "event"}
    )
    assert response.status_code == 403
    assert not Commitment.objects.filter(reference="NEW-1").exists()


def test_the_permission_needs_staff_as_the_admin_does(records):
    """Editors' permissions on a user who is not staff (who cannot open the admin) write
    nothing through the API either."""
    user = make_editor(username="former-staff")
    user.is_staff = False
    user.save()
    response = _token(user).post(
        "/api/v1/commitments/", {"reference": "NEW-2", "title": "T", "kind": "event"}
    )
    assert response.status_code == 403
    assert not Commitment.objects.filter(reference="NEW-2").exists()
