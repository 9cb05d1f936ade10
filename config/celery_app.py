"""The Celery app. Its settings are the CELERY_* names in Django's settings."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
def _worker_metrics_start(**kwargs) -> None:
    """The worker's own metrics endpoint, when METRICS_WORKER_PORT is set (metrics/worker.py)."""
    from metrics.worker import worker_metrics_serve

    worker_metrics_serve()
