"""Thin Celery tasks around tracker/services.py, and the enqueueing that must never fail a write.

The beat schedule (CELERY_BEAT_SCHEDULE in settings) runs `deadlines_scan_task` every
TRACKER_SCAN_INTERVAL_SECONDS; `commitment_scan_task` is enqueued after one commitment's status
or deadline change commits, so that its flag is right within seconds, not at the next beat.
Both are safe to run twice (tasks are acknowledged late and re-queued if a worker dies): the
scan is idempotent.
"""

from __future__ import annotations

import logging

from celery import shared_task

from tracker.services import deadlines_scan

logger = logging.getLogger(__name__)

# A scan that found another scan holding the lock tries again shortly: the other one may be a
# scan of a single commitment, which does not cover what this one was asked to do.
SKIPPED_RETRY_SECONDS = 5
SKIPPED_MAX_RETRIES = 3


def _retry_if_skipped(task, summary) -> dict:
    if summary.skipped and task.request.retries < SKIPPED_MAX_RETRIES:
        raise task.retry(countdown=SKIPPED_RETRY_SECONDS, max_retries=SKIPPED_MAX_RETRIES)
    return summary.counts()


@shared_task(bind=True)
def deadlines_scan_task(self) -> dict:
    return _retry_if_skipped(self, deadlines_scan())


@shared_task(bind=True)
def commitment_scan_task(self, commitment_id: int) -> dict:
    return _retry_if_skipped(self, deadlines_scan(commitment_ids=[commitment_id]))


def commitment_scan_enqueue(*, commitment_id: int) -> bool:
    """Ask a worker to scan one commitment now; say whether the broker took the message.

    Runs from `transaction.on_commit`, after the user's change is saved: a broker that is down
    must not turn a saved change into an error page. The failure is logged and the next beat
    scan catches up.
    """
    try:
        # A connection of its own, opened with no retries: kombu's default is to retry for
        # seconds before giving up, inside the user's request. A fresh connection also declares
        # the queue again, so a Redis that was restarted or flushed gets its binding back.
        with commitment_scan_task.app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0)
            commitment_scan_task.apply_async(args=[commitment_id], connection=conn)
    except Exception:  # any broker failure (refused, timed out, lost binding): never the user's
        logger.warning(
            "could not enqueue a deadline scan of commitment %s; the next beat scan will catch up",
            commitment_id,
            exc_info=True,
        )
        return False
    return True
