"""Signals the commitments app sends after a write, inside the write's transaction.

They exist so that the tracker (which depends on commitments, never the other way round) can
record a `status_changed` alert in the same transaction and re-scan the commitment once it
commits. Receivers must not write to commitments' tables.
"""

from django.dispatch import Signal

# Sent with `status_change` (a StatusChange).
status_changed = Signal()
# Sent with `commitment` after its deadline changed, and `became_overdue`: the (id, last day)
# pairs its overdue flag was just set for (the tracker records their alerts in the same
# transaction).
deadline_changed = Signal()
# Sent with `became_stale`: the (id, newest evidence's day) pairs a write just flagged as
# stale evidence (a first citation already old, a commitment reopened); the tracker records
# their alerts in the same transaction, as its scan would have.
evidence_went_stale = Signal()
# Sent with `commitment` after its disputed facts changed (a claim added).
disputes_changed = Signal()
