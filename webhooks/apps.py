from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        # Webhooks listen to the tracker; the tracker never imports webhooks.
        from tracker import signals
        from webhooks import receivers

        signals.alerts_recorded.connect(
            receivers.on_alerts_recorded, dispatch_uid="webhooks.alerts_recorded"
        )
