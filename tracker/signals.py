"""Signals the tracker sends, for apps built on it (webhooks), which the tracker never imports.

`alerts_recorded` is sent once a transaction that recorded alerts has committed (a scan, a
status change): receivers may enqueue work that reads them. Receivers must not raise.
"""

from django.dispatch import Signal

alerts_recorded = Signal()
