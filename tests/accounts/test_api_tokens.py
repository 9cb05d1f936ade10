"""API tokens: stored hashed, revocable, sent as Bearer or Token, created by a command."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.selectors import api_token_find
from accounts.services import api_token_create, api_token_note_use, api_token_revoke
from tests.api_fixtures import client_with_token, problem_fields
from tests.factories import make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/commitments/"


def test_only_a_hash_and_a_prefix_of_the_token_are_stored(reader_user):
    created = api_token_create(user=reader_user, name="ngo")
    token = ApiToken.objects.get()
    assert token.key_sha256 == hashlib.sha256(created.key.encode()).hexdigest()
    assert created.key.startswith(f"ct_{token.prefix}.")
    stored = {str(value) for value in ApiToken.objects.values_list().get()}
    assert created.key not in stored


def test_a_token_is_found_by_its_key_and_not_by_a_near_miss(reader_user):
    created = api_token_create(user=reader_user, name="ngo")
    assert api_token_find(key=created.key) == created.token
    near_miss = created.key[:-1] + ("A" if created.key[-1] != "A" else "B")
    assert api_token_find(key=near_miss) is None
    assert api_token_find(key="garbage") is None


@pytest.mark.parametrize("keyword", ["Bearer", "Token", "bearer"])
def test_both_bearer_and_token_keywords_authenticate(keyword, editor):
    key = api_token_create(user=editor, name="tool").key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")
    # Only an authenticated editor may write: a 400 (empty body) proves who we are.
    assert client.post(URL, {}, format="json").status_code == 400


@pytest.mark.parametrize(
    "header",
    [
        "Bearer ct_00000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "Bearer",
        "Token a b",
        "Bearer é",
    ],
)
def test_a_wrong_or_malformed_token_is_a_401_never_anonymous(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert problem_fields(response) == {}


def test_a_revoked_token_stops_working_at_once(reader_user):
    created = api_token_create(user=reader_user, name="ngo")
    client = client_with_token(created.key)
    assert client.get(URL).status_code == 200
    api_token_revoke(token=created.token)
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json()["detail"] == "This token was revoked."


def test_a_token_of_an_inactive_user_is_refused(reader_user):
    created = api_token_create(user=reader_user, name="ngo")
    reader_user.is_active = False
    reader_user.save()
    assert client_with_token(created.key).get(URL).status_code == 401


def test_revoking_twice_keeps_the_first_time(reader_user):
    token = api_token_create(user=reader_user, name="ngo").token
    first = api_token_revoke(token=token).revoked_at
    assert api_token_revoke(token=token).revoked_at == first


def test_the_last_use_is_recorded_at_most_once_a_minute(reader_user):
    created = api_token_create(user=reader_user, name="ngo")
    client = client_with_token(created.key)
    client.get(URL)
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    client.get(URL)
    assert ApiToken.objects.get().last_used_at == first
    token = ApiToken.objects.get()
    token.last_used_at = timezone.now() - timedelta(minutes=5)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=token.last_used_at)
    api_token_note_use(token=token)
    assert ApiToken.objects.get().last_used_at > first


def test_create_api_token_prints_the_token_as_its_last_line(editor):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", "editor", "--name", "dashboard", stdout=out, stderr=err)
    key = out.getvalue().strip().splitlines()[-1]
    token = api_token_find(key=key)
    assert token is not None and token.user == editor and token.name == "dashboard"
    assert "shown only once" in err.getvalue()
    assert client_with_token(key).post(URL, {}, format="json").status_code == 400  # an editor


def test_create_api_token_says_what_the_token_may_do(editor, staff_user, reader_user):
    said = {}
    for user in (editor, staff_user, reader_user):
        err = io.StringIO()
        call_command("create_api_token", user.username, stdout=io.StringIO(), stderr=err)
        said[user] = err.getvalue()
    assert "writes what the user's permissions allow" in said[editor]
    assert "writes nothing (add to Editors)" in said[staff_user]
    assert "reads published data only" in said[reader_user]


def test_create_api_token_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        call_command("create_api_token", "ghost")
    assert not ApiToken.objects.exists()


def test_create_api_token_refuses_an_inactive_user():
    make_user(username="gone", is_active=False)
    with pytest.raises(CommandError, match="inactive"):
        call_command("create_api_token", "gone")


def test_a_session_works_for_the_browsable_api(client, staff_user):
    client.force_login(staff_user)
    response = client.get(URL, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"Commitment" in response.content
