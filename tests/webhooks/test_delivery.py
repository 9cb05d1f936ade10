"""Delivery, run in this process against a real receiver on 127.0.0.1: signed as the
Standard Webhooks package verifies, in alert order, retried with backoff, disabled after a
run of failures, filtered as the alerts feed filters, drafts for staff only."""

from __future__ import annotations

import datetime as dt
import json
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from tests.factories import make_user
from tests.tracker.helpers import due
from tracker.models import Alert
from tracker.services import deadlines_scan
from webhooks.models import WebhookAttempt, WebhookSubscription
from webhooks.services import (
    DRAIN_LOCK_BASE,
    retry_delay,
    webhook_deliver_due,
    webhook_subscription_create,
    webhook_subscription_update,
)

pytestmark = pytest.mark.django_db


def subscribe(receiver, *, owner=None, kinds=("overdue",), **extra):
    return webhook_subscription_create(
        owner=owner or make_user(), url=receiver.url, alert_kinds=list(kinds), **extra
    )


def make_due_now(subscription: WebhookSubscription) -> None:
    """The retry's time has come (instead of waiting for it)."""
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def events(receiver) -> list[dict]:
    return [json.loads(request.body) for request in receiver.received]


def test_an_overdue_alert_is_posted_signed_with_the_feed_representation_and_links(receivers):
    receiver = receivers()
    created = subscribe(receiver)
    commitment = due("2024-11")
    deadlines_scan()
    alert = Alert.objects.get(commitment=commitment)

    result = webhook_deliver_due(subscription_id=created.subscription.pk)

    assert (result.outcome, result.delivered) == ("done", 1)
    [request] = receiver.received
    event = Webhook(created.secret).verify(request.body, request.headers)
    assert event["type"] == "alert.overdue"
    assert event["data"]["kind"] == "overdue"
    assert event["data"]["last_day"] == "2024-11-30"
    assert event["data"]["commitment"]["id"] == commitment.pk
    urls = event["data"]["urls"]
    assert urls["commitment"] == f"http://127.0.0.1:8000/api/v1/commitments/{commitment.pk}/"
    assert urls["commitment_alerts"] == (
        f"http://127.0.0.1:8000/api/v1/alerts/?commitment_id={commitment.pk}"
    )
    assert request.headers["content-type"] == "application/json"
    assert request.path == "/hooks/alerts"
    # A tampered body or another secret does not verify.
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(created.secret).verify(
            request.body.replace(b"overdue", b"complete"), request.headers
        )
    other = subscribe(receiver)
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(other.secret).verify(request.body, request.headers)
    created.subscription.refresh_from_db()
    assert created.subscription.last_alert_id == alert.pk


def test_a_subscription_gets_the_alerts_raised_after_it_was_made_not_the_history(receivers):
    due("2024-10")
    deadlines_scan()
    receiver = receivers()
    created = subscribe(receiver)

    assert webhook_deliver_due(subscription_id=created.subscription.pk).outcome == "done"
    assert receiver.received == []


def test_a_failed_alert_holds_back_the_later_ones_and_is_retried_with_the_same_id(receivers):
    receiver = receivers([200, 500])
    created = subscribe(receiver)
    first, second, third = (due("2024-11"), due("2024-10"), due("2024-09"))
    deadlines_scan()
    alert_ids = list(Alert.objects.order_by("id").values_list("id", flat=True))
    assert len(alert_ids) == 3 and first and second and third

    failed = webhook_deliver_due(subscription_id=created.subscription.pk)

    assert (failed.outcome, failed.delivered) == ("retry", 1)
    assert 30 * 0.8 <= failed.retry_in <= 30 * 1.2
    subscription = WebhookSubscription.objects.get(pk=created.subscription.pk)
    assert subscription.consecutive_failures == 1 and subscription.next_attempt_at
    # Not before its time.
    assert webhook_deliver_due(subscription_id=subscription.pk).outcome == "waiting"
    assert len(receiver.received) == 2

    make_due_now(subscription)
    resumed = webhook_deliver_due(subscription_id=subscription.pk)

    assert (resumed.outcome, resumed.delivered) == ("done", 2)
    in_order = [alert_ids[0], alert_ids[1], alert_ids[1], alert_ids[2]]
    assert [event["data"]["id"] for event in events(receiver)] == in_order
    assert [request.headers["webhook-id"] for request in receiver.received] == [
        f"msg_{subscription.pk}_{alert_id}" for alert_id in in_order
    ]


def test_retries_back_off_exponentially_with_jitter_over_about_a_day(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    delays = [
        retry_delay(failures) for failures in range(1, settings.WEBHOOK_DISABLE_AFTER_FAILURES)
    ]
    for failures, delay in enumerate(delays, start=1):
        nominal = 30 * 3 ** (failures - 1)
        assert nominal * 0.8 <= delay <= nominal * 1.2
    assert 20 * 3600 < sum(delays) < 36 * 3600
    assert len({retry_delay(3) for _ in range(20)}) > 1  # jittered


def test_after_the_configured_run_of_failures_the_subscription_is_disabled_and_says_why(
    receivers, settings, reader, reader_user
):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    receiver = receivers(then=503)
    created = subscribe(receiver, owner=reader_user)
    due("2024-11")
    deadlines_scan()
    outcomes = []
    for _ in range(3):
        outcomes.append(webhook_deliver_due(subscription_id=created.subscription.pk).outcome)
        make_due_now(created.subscription)

    assert outcomes == ["retry", "retry", "disabled"]
    shown = reader.get(f"/api/v1/webhooks/{created.subscription.pk}/").json()
    assert shown["is_active"] is False and shown["disabled_at"]
    assert "after 3 failed attempts in a row" in shown["disabled_reason"]
    assert "HTTP 503" in shown["disabled_reason"]
    log = reader.get(f"/api/v1/webhooks/{created.subscription.pk}/deliveries/").json()
    assert [row["status_code"] for row in log["results"]] == [503, 503, 503]
    assert {row["response_excerpt"] for row in log["results"]} == {"receiver says no"}
    assert webhook_deliver_due(subscription_id=created.subscription.pk).outcome == "inactive"

    # The owner re-enables it: the alert it stopped at is delivered, nothing was lost.
    receiver.then = 200
    webhook_subscription_update(subscription=created.subscription, data={"is_active": True})
    assert webhook_deliver_due(subscription_id=created.subscription.pk).delivered == 1
    assert len(receiver.received) == 4


def test_alerts_of_drafts_go_to_staff_subscribers_only(receivers):
    receiver_public, receiver_staff = receivers(), receivers()
    public = subscribe(receiver_public)
    staff = subscribe(receiver_staff, owner=make_user(is_staff=True))
    due("2024-11", is_published=False)
    deadlines_scan()

    for created in (public, staff):
        assert webhook_deliver_due(subscription_id=created.subscription.pk).outcome == "done"

    assert receiver_public.received == []
    assert len(receiver_staff.received) == 1
    # The public subscription's cursor moved past the draft's alert all the same.
    public.subscription.refresh_from_db()
    assert public.subscription.last_alert_id == Alert.objects.get().pk


def test_only_the_kinds_and_the_feed_filters_chosen_are_delivered(receivers, time_machine):
    time_machine.move_to(dt.datetime(2024, 11, 20, 9, tzinfo=dt.UTC), tick=False)
    receiver = receivers()
    created = subscribe(receiver, kinds=["due_soon"], filters={"tag": ["cyber"]})
    due("2024-11", tags=["cyber"], reference="WANTED")
    due("2024-11", tags=["health"], reference="OTHER-TAG")
    due("2024-10", tags=["cyber"], reference="OVERDUE-KIND")
    deadlines_scan()

    assert webhook_deliver_due(subscription_id=created.subscription.pk).delivered == 1
    [event] = events(receiver)
    assert event["type"] == "alert.due_soon"
    assert event["data"]["commitment"]["reference"] == "WANTED"


def test_a_name_that_resolves_inside_at_delivery_is_not_called(receivers, settings):
    receiver = receivers()
    # Saved while private targets were allowed (as if the name resolved outside then).
    created = subscribe_url(f"http://localhost:{receiver.port}/hooks")
    due("2024-11")
    deadlines_scan()
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False

    result = webhook_deliver_due(subscription_id=created.subscription.pk)

    assert result.outcome == "retry"
    assert receiver.received == []
    [attempt] = WebhookAttempt.objects.all()
    assert attempt.status_code is None and not attempt.succeeded
    assert attempt.error.startswith("Not sent: localhost resolves to ")
    assert "127.0.0.1" in attempt.error


def subscribe_url(url: str):
    return webhook_subscription_create(owner=make_user(), url=url, alert_kinds=["overdue"])


def test_a_redirect_is_an_answer_not_followed(receivers):
    receiver = receivers([302])
    created = subscribe(receiver)
    due("2024-11")
    deadlines_scan()

    assert webhook_deliver_due(subscription_id=created.subscription.pk).outcome == "retry"

    [attempt] = WebhookAttempt.objects.all()
    assert (attempt.status_code, attempt.succeeded, attempt.error) == (302, False, "HTTP 302")
    assert len(receiver.received) == 1


def test_a_second_drain_of_the_same_subscription_steps_aside(receivers):
    receiver = receivers()
    created = subscribe(receiver)
    due("2024-11")
    deadlines_scan()
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_lock(%s)", [DRAIN_LOCK_BASE + created.subscription.pk]
            )
        assert webhook_deliver_due(subscription_id=created.subscription.pk).outcome == "busy"
        assert receiver.received == []
        with other.cursor() as cursor:  # the other drain ends
            cursor.execute(
                "SELECT pg_advisory_unlock(%s)", [DRAIN_LOCK_BASE + created.subscription.pk]
            )
    finally:
        other.close()
    assert webhook_deliver_due(subscription_id=created.subscription.pk).delivered == 1


def test_turning_a_subscription_back_on_enqueues_the_drain_of_what_waited(
    receivers, django_capture_on_commit_callbacks
):
    """The service says so by a signal once committed (webhooks.signals), and the receiver
    enqueues the drain: the service never imports the tasks built on it."""
    import redis
    from django.conf import settings

    from tests.hardening.servers import enqueued_tasks

    created = subscribe(receivers())
    webhook_subscription_update(subscription=created.subscription, data={"is_active": False})
    created.subscription.refresh_from_db()
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    before = enqueued_tasks(broker)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            webhook_subscription_update(subscription=created.subscription, data={"is_active": True})
        new = enqueued_tasks(broker)[len(before) :]
        if new:  # no worker here takes them: the newest are on the left
            broker.lpop("celery", len(new))
    finally:
        broker.close()

    assert ("webhooks.tasks.subscription_drain_task", [created.subscription.pk]) in new


@pytest.mark.parametrize(
    ("language", "title"),
    [("ru", "Региональный форум в Ашхабаде"), ("tk", "Aşgabatda sebit forumy")],
)
def test_a_subscription_gets_its_payloads_in_its_language(receivers, language, title):
    receiver = receivers()
    subscription = subscribe(receiver, language=language)
    commitment = due(
        "2024-11",
        title="Regional forum in Ashgabat",
        translations={
            "ru": {"title": "Региональный форум в Ашхабаде"},
            "tk": {"title": "Aşgabatda sebit forumy"},
        },
    )
    deadlines_scan()

    assert webhook_deliver_due(subscription_id=subscription.subscription.pk).delivered == 1
    [request] = receiver.received
    event = Webhook(subscription.secret).verify(request.body, request.headers)
    assert request.headers["content-language"] == language
    assert event["data"]["commitment"]["id"] == commitment.pk
    assert event["data"]["commitment"]["title"] == title
    assert event["data"]["commitment"]["translation"]["language"] == language
    # The page link is the page in that language.
    assert f"/{language}/commitments/" in event["data"]["urls"]["commitment_page"]

    english = subscribe(receiver)
    due("2024-10", reference="NO-RU", translations={})
    deadlines_scan()
    webhook_deliver_due(subscription_id=english.subscription.pk)
    english_event = json.loads(receiver.received[-1].body)
    assert receiver.received[-1].headers["content-language"] == "en"
    assert english_event["data"]["commitment"]["translation"] == {
        "language": "en",
        "origin": None,
        "fallback": [],
    }


def test_a_subscription_in_a_language_the_tracker_does_not_speak_is_refused():
    with pytest.raises(Exception) as refused:
        webhook_subscription_create(
            owner=make_user(),
            url="https://example.org/hook",
            alert_kinds=["overdue"],
            language="kk",
        )
    assert "language" in refused.value.message_dict
