"""What the tracker does when the commitments app reports a change.

Both signals are sent inside the writing transaction: the status_changed alert is recorded in
that same transaction (it exists if and only if the change does), and the re-scan of the
commitment is enqueued only once the transaction commits — a worker must not scan before the
change is visible, nor for a change that was rolled back. Any saved commitment renews the
cached stats, once it commits.
"""

from functools import partial

from django.db import transaction

from tracker.choices import AlertKind
from tracker.services import (
    alert_record_status_change,
    alerts_record_overdue,
    stats_cache_invalidate,
)
from tracker.tasks import commitment_scan_enqueue


def on_status_changed(sender, *, status_change, **kwargs) -> None:
    alert_record_status_change(status_change=status_change)
    transaction.on_commit(
        partial(commitment_scan_enqueue, commitment_id=status_change.commitment_id)
    )


def on_deadline_changed(sender, *, commitment, became_overdue=(), **kwargs) -> None:
    # Flagged by the service already (so the scan will not see it become overdue): its alert
    # is recorded here, as the scan would have.
    alerts_record_overdue(became_overdue=list(became_overdue))
    transaction.on_commit(partial(commitment_scan_enqueue, commitment_id=commitment.pk))


def on_evidence_went_stale(sender, *, became_stale=(), **kwargs) -> None:
    # Flagged by a write already (so the scan will not see it become stale).
    alerts_record_overdue(became_overdue=list(became_stale), kind=AlertKind.EVIDENCE_STALE)


def on_commitment_saved(sender, **kwargs) -> None:
    # Any saved commitment may change the counts (status, deadline, published, tags).
    transaction.on_commit(stats_cache_invalidate)
