"""gunicorn's settings file (`--config python:config.gunicorn`, the Dockerfile's CMD).

With PROMETHEUS_MULTIPROC_DIR set, each worker counts its requests in files there and any
worker's /metrics adds up all of them (prometheus-client's multiprocess mode): the directory
is emptied when gunicorn starts (a previous run's counts), and a worker that exits has its
live gauges removed.
"""

import os
import shutil
from pathlib import Path


def on_starting(server) -> None:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
