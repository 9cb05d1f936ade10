from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        # Webhooks listen to the tracker; the tracker never imports webhooks.
        from tracker import signals
        from webhooks import receivers
        from webhooks.signals import subscription_enabled

        signals.alerts_recorded.connect(
            receivers.on_alerts_recorded, dispatch_uid="webhooks.alerts_recorded"
        )
        subscription_enabled.connect(
            receivers.on_subscription_enabled, dispatch_uid="webhooks.subscription_enabled"
        )
