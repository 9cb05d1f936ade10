"""Staff see every subscription and its delivery log in the admin, change one through the
service's rules, re-enable one, and send a test event; the secret is never shown there."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import make_user
from webhooks.models import WebhookAttempt, WebhookSubscription
from webhooks.services import webhook_subscription_create

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/webhooks/webhooksubscription/"


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def created():
    return webhook_subscription_create(
        owner=make_user(username="newsroom"),
        url="http://127.0.0.1:9/hooks",
        alert_kinds=["overdue"],
    )


def form(subscription, **changes) -> dict:
    return {
        "url": subscription.url,
        "description": subscription.description,
        "alert_kinds": ",".join(subscription.alert_kinds),
        "filters": "{}",
        "is_active": "on" if subscription.is_active else "",
        "attempts-TOTAL_FORMS": "0",
        "attempts-INITIAL_FORMS": "0",
        **changes,
    }


def test_staff_see_every_subscription_and_its_log_but_never_its_secret(admin_client, created):
    WebhookAttempt.objects.create(
        subscription=created.subscription,
        webhook_id="msg_1_1",
        event_type="alert.overdue",
        succeeded=False,
        status_code=500,
        latency_ms=12,
        response_excerpt="boom",
        error="HTTP 500",
    )
    listed = admin_client.get(CHANGELIST)
    page = admin_client.get(f"{CHANGELIST}{created.subscription.pk}/change/")

    assert listed.status_code == 200 and b"newsroom" in listed.content
    assert page.status_code == 200
    assert b"msg_1_1" in page.content and b"boom" in page.content
    assert created.secret.encode() not in listed.content + page.content
    assert admin_client.get("/admin/webhooks/webhookattempt/").status_code == 200


def test_a_change_in_the_admin_follows_the_services_rules(admin_client, created, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    url = f"{CHANGELIST}{created.subscription.pk}/change/"

    refused = admin_client.post(url, form(created.subscription, url="http://169.254.169.254/"))

    assert refused.status_code == 200  # the form again, with the reason
    assert b"private network" in refused.content
    created.subscription.refresh_from_db()
    assert created.subscription.url == "http://127.0.0.1:9/hooks"
    # The control: a public address is saved.
    saved = admin_client.post(url, form(created.subscription, url="https://93.184.215.14/h"))
    assert saved.status_code == 302
    created.subscription.refresh_from_db()
    assert created.subscription.url == "https://93.184.215.14/h"


def test_re_enable_and_send_a_test_event_are_admin_actions(admin_client, created, receivers, queue):
    receiver = receivers()
    WebhookSubscription.objects.filter(pk=created.subscription.pk).update(
        url=receiver.url, is_active=False, disabled_at="2026-01-01T00:00Z", disabled_reason="x"
    )
    response = admin_client.post(
        CHANGELIST, {"action": "enable", "_selected_action": [created.subscription.pk]}
    )
    assert response.status_code == 302
    created.subscription.refresh_from_db()
    assert created.subscription.is_active and created.subscription.disabled_reason == ""

    response = admin_client.post(
        CHANGELIST, {"action": "send_test_event", "_selected_action": [created.subscription.pk]}
    )
    assert response.status_code == 302
    assert queue() == [("webhooks.tasks.webhook_test_task", [created.subscription.pk])]
