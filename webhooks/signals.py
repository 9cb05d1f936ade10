"""Signals webhooks/services.py sends, so that it never imports the tasks built on it.

`subscription_enabled` is sent once the transaction that turned a subscription back on has
committed: the receiver enqueues the drain of what waited for it. Receivers must not raise.
"""

from django.dispatch import Signal

subscription_enabled = Signal()  # subscription_id
