"""Fixtures for API tests: callers as the API sees them (anonymous, a reader's token, an
editor's token).

Imported by the conftest.py of each API test package.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.services import api_token_create


def client_with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def reader(reader_user):
    """An NGO's token: a user who is not staff."""
    return client_with_token(api_token_create(user=reader_user, name="ngo").key)


@pytest.fixture
def staff(editor):
    """A token of staff who may write: in the Editors group, as the API's permissions ask
    (`staff_user`, outside the group, only reads drafts)."""
    return client_with_token(api_token_create(user=editor, name="staff tool").key)


def problem_fields(response) -> dict[str | None, str]:
    """{field: message} of a problem-details response, asserting its shape on the way."""
    assert response["Content-Type"] == "application/problem+json", response.content
    body = response.json()
    assert body["status"] == response.status_code
    assert body["type"] == "about:blank"
    assert body["title"] and body["detail"] and body["code"]
    return {error["field"]: error["message"] for error in body.get("errors", [])}


def references(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["reference"] for row in response.json()["results"]]
