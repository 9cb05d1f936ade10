"""What webhooks do when the tracker reports alerts: fan them out, once they are committed.

tracker.signals.alerts_recorded is sent after the recording transaction commits; this
enqueues one fan-out task, and only when someone is subscribed (tests and installations
without subscriptions see no extra message on the broker).
"""

from webhooks.selectors import webhook_subscriptions_exist
from webhooks.tasks import webhooks_dispatch_enqueue


def on_alerts_recorded(sender, **kwargs) -> None:
    if webhook_subscriptions_exist():
        webhooks_dispatch_enqueue()
