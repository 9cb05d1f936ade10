"""A real Celery worker serves its pool's task metrics on METRICS_WORKER_PORT: the tasks run
in a pool process, the main process adds up what the pool counted (multiprocess mode)."""

from __future__ import annotations

import http.client

import pytest

from config.celery_app import app as celery_app
from tests.hardening.servers import (
    CeleryWorker,
    RedisServer,
    app_environment,
    database_url_for,
    free_port,
    wait_until,
)
from tracker.tasks import deadlines_scan_task

from .helpers import samples_of, value

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SCAN_TASK = "tracker.tasks.deadlines_scan_task"


def _worker_metrics(port: int) -> dict | None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/metrics")
        response = conn.getresponse()
        return samples_of(response.read().decode()) if response.status == 200 else None
    except OSError:
        return None
    finally:
        conn.close()


def test_the_worker_counts_its_pools_tasks_and_their_time(tmp_path):
    broker = RedisServer(tmp_path).start()
    port = free_port()
    worker = CeleryWorker(
        env=app_environment(
            database_url=database_url_for(),
            broker_url=broker.url,
            METRICS_WORKER_PORT=str(port),
            PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
        ),
        log=tmp_path / "worker.log",
        name="metrics",
    )
    try:
        worker.start()
        [served] = wait_until(
            lambda: [samples] if (samples := _worker_metrics(port)) is not None else None,
            timeout=30,
            what="the worker serves metrics",
        )
        assert value(served, "tracker_celery_tasks_total") == 0  # nothing ran yet
        with celery_app.connection_for_write(url=broker.url) as conn:
            for _ in range(3):
                deadlines_scan_task.apply_async(connection=conn)

        def three_done():
            samples = _worker_metrics(port)
            done = samples and value(samples, "tracker_celery_tasks_total", task=SCAN_TASK)
            return samples if done == 3 else None

        samples = wait_until(three_done, timeout=60, what="the worker ran three scans")
        output = worker.output()
    finally:
        worker.close()
        broker.close()

    assert value(samples, "tracker_celery_tasks_total", task=SCAN_TASK, state="SUCCESS") == 3
    assert value(samples, "tracker_celery_task_duration_seconds_count", task=SCAN_TASK) == 3
    assert value(samples, "tracker_celery_task_duration_seconds_sum", task=SCAN_TASK) > 0
    # The pool process's database queries are counted too (django-prometheus).
    assert value(samples, "django_db_execute_total") > 0
    assert f"worker metrics on 127.0.0.1:{port}" in output


def test_without_a_multiprocess_directory_the_worker_says_why_it_serves_none(tmp_path):
    broker = RedisServer(tmp_path).start()
    env = app_environment(
        database_url=database_url_for(), broker_url=broker.url, METRICS_WORKER_PORT="9"
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    worker = CeleryWorker(env=env, log=tmp_path / "worker.log", name="no-metrics")
    try:
        worker.start()
        output = worker.output()
    finally:
        worker.close()
        broker.close()
    assert "METRICS_WORKER_PORT is set without PROMETHEUS_MULTIPROC_DIR" in output
