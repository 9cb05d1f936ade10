"""Webhooks delivered by a real Celery worker on the real Redis broker to a real HTTP receiver
on 127.0.0.1: nothing is eager, mocked or called in-process. The worker is the production
pool (prefork) from tests/hardening/servers.py, pointed at the test database; the tests
commit what they create (transaction=True) so that it sees it.
"""

from __future__ import annotations

import os
import signal

import pytest
import redis
from django.conf import settings
from standardwebhooks.webhooks import Webhook

from config.celery_app import app as celery_app
from tests.factories import make_user
from tests.hardening.servers import CeleryWorker, app_environment, database_url_for
from tests.tracker.helpers import due
from tests.webhooks.receiver import HANG, wait_until
from tracker.models import Alert
from webhooks.models import WebhookAttempt, WebhookSubscription
from webhooks.services import webhook_subscription_create
from webhooks.tasks import webhooks_dispatch_task

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

DELIVERY_SECONDS = 60


@pytest.fixture
def start_worker(tmp_path):
    """`start_worker(**environment)`: a Celery worker with these extra variables."""
    started: list[CeleryWorker] = []
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("celery")  # nothing left over from another test

    def start(**extra: str) -> CeleryWorker:
        worker = CeleryWorker(
            env=app_environment(
                database_url=database_url_for(settings.DATABASES["default"]["NAME"]),
                broker_url=settings.CELERY_BROKER_URL,
                CACHE_KEY_PREFIX=settings.CACHES["default"]["KEY_PREFIX"],
                **extra,
            ),
            log=tmp_path / f"worker-{len(started)}.log",
            name="webhooks",
        )
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        worker.close()
    broker.delete("celery")
    broker.close()


def subscribe(receiver, *, kinds=("overdue",)):
    return webhook_subscription_create(
        owner=make_user(username="newsroom"), url=receiver.url, alert_kinds=list(kinds)
    )


def attempts(subscription) -> list[WebhookAttempt]:
    return list(WebhookAttempt.objects.filter(subscription=subscription).order_by("id"))


def test_a_scan_that_raises_an_overdue_alert_delivers_one_request_standardwebhooks_verifies(
    start_worker, receivers
):
    worker = start_worker()
    receiver = receivers()
    created = subscribe(receiver)

    commitment = due("2024-11")  # saved: its scan is enqueued, the worker raises the alert

    [request] = receiver.wait_for(1, timeout=DELIVERY_SECONDS)
    event = Webhook(created.secret).verify(request.body, request.headers)
    alert = Alert.objects.get(commitment=commitment, kind="overdue")
    assert event["type"] == "alert.overdue"
    assert event["data"]["id"] == alert.pk
    assert event["data"]["commitment"]["reference"] == commitment.reference
    assert event["data"]["urls"]["commitment"].endswith(f"/api/v1/commitments/{commitment.pk}/")
    assert request.headers["webhook-id"] == f"msg_{created.subscription.pk}_{alert.pk}"
    wait_until(
        lambda: (
            WebhookSubscription.objects.get(pk=created.subscription.pk).last_alert_id == alert.pk
        ),
        timeout=DELIVERY_SECONDS,
        what=f"the cursor moves past the alert:\n{worker.output()}",
    )
    assert [a.status_code for a in attempts(created.subscription)] == [200]
    assert len(receiver.received) == 1


def test_a_receiver_answering_500_twice_then_200_gets_three_attempts_all_logged(
    start_worker, receivers
):
    start_worker(WEBHOOK_RETRY_BASE_SECONDS="0.3")
    receiver = receivers([500, 500])  # then 200
    created = subscribe(receiver)

    due("2024-11")

    first, second, third = receiver.wait_for(3, timeout=DELIVERY_SECONDS)
    log = wait_until(
        lambda: len(attempts(created.subscription)) == 3 and attempts(created.subscription),
        what="the third attempt is logged",
    )
    assert [(a.status_code, a.succeeded) for a in log] == [(500, False), (500, False), (200, True)]
    assert all(a.latency_ms is not None for a in log)
    assert log[0].response_excerpt == "receiver says no"
    # One message, retried: the same webhook-id each time, each signed afresh.
    assert (
        first.headers["webhook-id"] == second.headers["webhook-id"] == third.headers["webhook-id"]
    )
    Webhook(created.secret).verify(third.body, third.headers)
    # Exponential backoff: the second wait (0.3 s, times 3, ± 20 %) is longer than the first.
    assert third.at - second.at > second.at - first.at > 0.2
    subscription = WebhookSubscription.objects.get(pk=created.subscription.pk)
    assert subscription.consecutive_failures == 0 and subscription.is_active


def test_a_receiver_that_never_answers_is_disabled_after_the_configured_run(
    start_worker, receivers, reader
):
    start_worker(
        WEBHOOK_RETRY_BASE_SECONDS="0.2",
        WEBHOOK_READ_TIMEOUT_SECONDS="0.5",
        WEBHOOK_DISABLE_AFTER_FAILURES="3",
    )
    receiver = receivers(then=HANG)
    created = subscribe(receiver)

    due("2024-11")

    subscription = wait_until(
        lambda: (
            (s := WebhookSubscription.objects.get(pk=created.subscription.pk)).is_active is False
            and s
        ),
        timeout=DELIVERY_SECONDS,
        what="the subscription is disabled",
    )
    assert len(receiver.received) == 3
    assert [a.error for a in attempts(subscription)] == ["no answer within 0.5 s"] * 3
    assert "after 3 failed attempts in a row" in subscription.disabled_reason
    assert "no answer within 0.5 s" in subscription.disabled_reason
    assert subscription.last_alert_id < Alert.objects.get().pk  # the alert is still owed


def test_a_worker_killed_mid_delivery_leads_to_a_redelivery_with_the_same_webhook_id(
    start_worker, receivers
):
    worker = start_worker(WEBHOOK_READ_TIMEOUT_SECONDS="30")
    receiver = receivers([HANG])  # the first request is never answered; then 200
    created = subscribe(receiver)
    commitment = due("2024-11")
    receiver.wait_for(1, timeout=DELIVERY_SECONDS)  # the worker is inside the request

    [pool_process] = worker.pool_processes()
    os.kill(pool_process, signal.SIGKILL)
    worker.wait_for_output("WorkerLostError")
    # What beat sends every WEBHOOK_SWEEP_SECONDS, in case the re-queued drain found the dead
    # process's lock not yet released.
    with celery_app.connection_for_write() as conn:
        webhooks_dispatch_task.apply_async(connection=conn)

    first, second = receiver.wait_for(2, timeout=DELIVERY_SECONDS)[:2]
    assert second.headers["webhook-id"] == first.headers["webhook-id"]
    Webhook(created.secret).verify(second.body, second.headers)
    alert = Alert.objects.get(commitment=commitment)
    wait_until(
        lambda: (
            WebhookSubscription.objects.get(pk=created.subscription.pk).last_alert_id == alert.pk
        ),
        what="the cursor moves past the redelivered alert",
    )
    assert [(a.webhook_id, a.status_code) for a in attempts(created.subscription)] == [
        (first.headers["webhook-id"], 200)
    ]
    assert len(receiver.received) == 2
