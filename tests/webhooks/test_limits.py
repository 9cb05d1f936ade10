"""How many subscriptions one owner may have: each is a delivery queue the workers drain."""

from __future__ import annotations

import pytest

from accounts.services import api_token_create
from tests.api_fixtures import client_with_token, problem_fields
from tests.factories import make_user
from webhooks.models import WebhookSubscription

pytestmark = pytest.mark.django_db

LIST = "/api/v1/webhooks/"
BODY = {"url": "http://127.0.0.1:9/hooks", "alert_kinds": ["overdue"]}


def test_the_default_limit_is_20(settings):
    assert settings.WEBHOOK_MAX_SUBSCRIPTIONS_PER_OWNER == 20


def test_one_subscription_over_the_limit_is_a_400_naming_it(reader, reader_user, settings):
    settings.WEBHOOK_MAX_SUBSCRIPTIONS_PER_OWNER = 3
    assert [reader.post(LIST, BODY, format="json").status_code for _ in range(3)] == [201] * 3

    response = reader.post(LIST, BODY, format="json")
    assert response.status_code == 400
    assert problem_fields(response) == {
        None: "You have 3 webhook subscriptions; an owner may have at most 3. Delete one, or "
        "widen an existing one's alert kinds and filters."
    }
    assert WebhookSubscription.objects.filter(owner=reader_user).count() == 3

    # Per owner: someone else subscribes as ever; deleting one makes room again.
    other = client_with_token(api_token_create(user=make_user(), name="other").key)
    assert other.post(LIST, BODY, format="json").status_code == 201
    first = WebhookSubscription.objects.filter(owner=reader_user).first()
    assert reader.delete(f"{LIST}{first.pk}/").status_code == 204
    assert reader.post(LIST, BODY, format="json").status_code == 201
