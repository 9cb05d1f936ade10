"""Thin Celery tasks around archive/services.py, and the enqueueing that must never fail a
write.

`source_check_task` is enqueued once a source saved with a new URL commits (and by staff on
request); a failure that may pass is tried again with a countdown, each wait 3 times the last.
Beat runs `archive_sweep_task` every ARCHIVE_SWEEP_SECONDS: it adds the links of sources that
have none and hands out the checks that are due, so a lost message or a worker that had no
network is caught up with.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from archive.services import links_add_missing, links_claim_due, source_check

logger = logging.getLogger(__name__)


@shared_task(bind=True)
def source_check_task(self, source_id: int, attempt: int = 1) -> dict | None:
    result = source_check(source_id=source_id, attempt=attempt)
    if result is None:
        return None
    if result.retry_in is not None:
        self.apply_async(args=[source_id, attempt + 1], countdown=result.retry_in)
    return {"outcome": result.outcome, "state": result.state, "retry_in": result.retry_in}


@shared_task
def archive_sweep_task() -> int:
    """Enqueue a check of every link that is due (at most ARCHIVE_SWEEP_BATCH); how many."""
    links_add_missing()
    ids = links_claim_due(limit=settings.ARCHIVE_SWEEP_BATCH)
    if ids:
        with source_check_task.app.producer_or_acquire() as producer:
            for source_id in ids:
                source_check_task.apply_async(args=[source_id], producer=producer)
    return len(ids)


def source_check_enqueue(*, source_id: int) -> bool:
    """Publish on a connection of its own, tried once (as tracker.tasks does): a broker that
    is down must not turn a saved source into an error. The sweep catches up."""
    try:
        with source_check_task.app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0)
            source_check_task.apply_async(args=[source_id], connection=conn)
    except Exception:  # any broker failure: never the caller's
        logger.warning(
            "could not enqueue the archive check of source %s; the next sweep will catch up",
            source_id,
            exc_info=True,
        )
        return False
    return True
