"""What a scrape reads of the processes' own metrics (django-prometheus's requests, queries and
cache, the worker's tasks): every process's when PROMETHEUS_MULTIPROC_DIR is set (gunicorn's
workers, Celery's pool: prometheus-client's multiprocess mode), else this process's.

No models here: the Celery worker imports it before Django is set up.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.core import Metric
from prometheus_client.multiprocess import MultiProcessCollector


def process_metrics_collector():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return registry
    return REGISTRY


class ScrapeRegistry:
    """Collectors read one after the other, as one registry."""

    def __init__(self, *collectors) -> None:
        self._collectors = collectors

    def collect(self) -> Iterator[Metric]:
        for collector in self._collectors:
            yield from collector.collect()
