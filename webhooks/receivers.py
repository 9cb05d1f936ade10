"""What webhooks do when the tracker reports alerts, or a subscription is turned back on.

tracker.signals.alerts_recorded is sent after the recording transaction commits; this
enqueues one fan-out task, and only when someone is subscribed (tests and installations
without subscriptions see no extra message on the broker). webhooks.signals.
subscription_enabled enqueues the drain of what waited for that subscription.
"""

from webhooks.selectors import webhook_subscriptions_exist
from webhooks.tasks import subscription_drain_enqueue, webhooks_dispatch_enqueue


def on_alerts_recorded(sender, **kwargs) -> None:
    if webhook_subscriptions_exist():
        webhooks_dispatch_enqueue()


def on_subscription_enabled(sender, *, subscription_id: int, **kwargs) -> None:
    subscription_drain_enqueue(subscription_id=subscription_id)
