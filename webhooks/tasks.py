"""Thin Celery tasks around webhooks/services.py, and the enqueueing that must never fail a
write.

The fan-out is one `webhooks_dispatch_task` per batch of recorded alerts (sent by
webhooks/receivers.py once they commit, and by beat every WEBHOOK_SWEEP_SECONDS to pick up
retries and anything a lost message left behind). It enqueues one
`subscription_drain_task` per subscription that may be owed something — never one message
per alert and subscription: the drain walks that subscription's cursor itself. A scan that
raises 10,000 alerts for 1,000 subscriptions puts at most 1,001 messages on the broker.
"""

from __future__ import annotations

import logging

from celery import shared_task

from webhooks.selectors import subscription_ids_with_news
from webhooks.services import webhook_deliver_due, webhook_send_test

logger = logging.getLogger(__name__)

# Drains are published this many to a connection round.
ENQUEUE_BATCH = 500
# A retry sooner than this is enqueued with a countdown; a later one is left to the sweep
# (Redis redelivers an unacknowledged message after its visibility timeout, an hour).
COUNTDOWN_LIMIT_SECONDS = 30 * 60


@shared_task
def webhooks_dispatch_task() -> int:
    """Enqueue a drain for every subscription that may be owed an alert; how many."""
    ids = subscription_ids_with_news()
    for start in range(0, len(ids), ENQUEUE_BATCH):
        batch = ids[start : start + ENQUEUE_BATCH]
        with subscription_drain_task.app.producer_or_acquire() as producer:
            for subscription_id in batch:
                subscription_drain_task.apply_async(args=[subscription_id], producer=producer)
    return len(ids)


@shared_task
def subscription_drain_task(subscription_id: int) -> dict:
    result = webhook_deliver_due(subscription_id=subscription_id)
    if result.retry_in is not None and result.retry_in < COUNTDOWN_LIMIT_SECONDS:
        subscription_drain_task.apply_async(args=[subscription_id], countdown=result.retry_in)
    return {"outcome": result.outcome, "delivered": result.delivered}


@shared_task
def webhook_test_task(subscription_id: int) -> dict:
    attempt = webhook_send_test(subscription_id=subscription_id)
    return {"sent": attempt is not None and attempt.succeeded}


def _enqueue(task, *args, what: str) -> bool:
    """Publish on a connection of its own, tried once (as tracker.tasks does): a broker that
    is down must not turn a saved change into an error. The sweep catches up."""
    try:
        with task.app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0)
            task.apply_async(args=list(args), connection=conn)
    except Exception:  # any broker failure: never the caller's
        logger.warning("could not enqueue %s; the next sweep will catch up", what, exc_info=True)
        return False
    return True


def webhooks_dispatch_enqueue() -> bool:
    return _enqueue(webhooks_dispatch_task, what="the webhooks fan-out")


def subscription_drain_enqueue(*, subscription_id: int) -> bool:
    return _enqueue(
        subscription_drain_task, subscription_id, what=f"webhook subscription {subscription_id}"
    )


def webhook_test_enqueue(*, subscription_id: int) -> bool:
    return _enqueue(
        webhook_test_task, subscription_id, what=f"a test event for subscription {subscription_id}"
    )
