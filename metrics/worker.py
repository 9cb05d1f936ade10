"""The Celery worker's metrics: tasks run and how long they took, by task, served by the
worker's main process on METRICS_WORKER_PORT.

The pool's processes count in PROMETHEUS_MULTIPROC_DIR (prometheus-client's multiprocess
mode, as gunicorn's workers do) and the main process serves the sum, so a Prometheus scrapes
each worker container, never a pushgateway. The intake assistant's suggestion time is its
task's duration (`intake.tasks.source_suggestions_compute_task`). Domain figures are the web's
(`/metrics`): they come from the database, whichever process did the work.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path

from celery import signals
from django.conf import settings
from prometheus_client import Counter, Histogram, start_http_server

from metrics.exposition import ScrapeRegistry, process_metrics_collector

logger = logging.getLogger(__name__)

TASKS = Counter(
    "tracker_celery_tasks", "Celery tasks that ended, by task and state.", ["task", "state"]
)
TASK_SECONDS = Histogram(
    "tracker_celery_task_duration_seconds",
    "How long Celery tasks ran, by task.",
    ["task"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900),
)
_started: dict[str, float] = {}


@signals.task_prerun.connect
def _task_started(task_id=None, **kwargs) -> None:
    _started[task_id] = time.monotonic()


@signals.task_postrun.connect
def _task_ended(task_id=None, task=None, state=None, **kwargs) -> None:
    started = _started.pop(task_id, None)
    name = getattr(task, "name", "unknown")
    TASKS.labels(task=name, state=state or "unknown").inc()
    if started is not None:
        TASK_SECONDS.labels(task=name).observe(time.monotonic() - started)


def worker_metrics_serve() -> int | None:
    """In the worker's main process, before its pool starts: empty the multiprocess
    directory (a previous run's counts) and serve the pool's metrics. The port, or None."""
    port = settings.METRICS_WORKER_PORT
    if not port:
        return None
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        logger.error(
            "METRICS_WORKER_PORT is set without PROMETHEUS_MULTIPROC_DIR: the pool's counts "
            "could not be added up, so the worker serves no metrics"
        )
        return None
    shutil.rmtree(directory, ignore_errors=True)
    Path(directory).mkdir(parents=True, exist_ok=True)
    start_http_server(
        port,
        addr=settings.METRICS_WORKER_ADDRESS,
        registry=ScrapeRegistry(process_metrics_collector()),
    )
    logger.info("worker metrics on %s:%s", settings.METRICS_WORKER_ADDRESS, port)
    return port
