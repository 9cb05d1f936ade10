"""The webhook fan-out: from a deadline scan that raises N alerts to the last delivery.

    python -m bench --webhooks-only                      this part alone (about a minute)
    python -m bench --webhooks-only --webhook-alerts 1000 --webhook-subscriptions 20

A database of its own (`tracker_bench_webhooks`), N open commitments whose deadline just
passed and M subscriptions, each alert matching K of them (`--webhook-per-alert`, 1 by
default: N deliveries). A receiver on 127.0.0.1 (threads of this process) answers 200 and
notes when each request arrived; a Celery worker (prefork, `--webhook-concurrency` pool
processes) on the bench's Redis does the deliveries. Then the real deadline scan runs in a
child process, and the clock stops at the last delivery. A thread samples the broker's queue
length every 10 ms for its peak. The worker and the setup use the local settings with
WEBHOOK_ALLOW_PRIVATE_TARGETS=true: production's settings refuse both http and 127.0.0.1.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import redis

from bench import data
from bench.children import BASE_DIR, log, migrate, run_child

DATABASE = "tracker_bench_webhooks"
DELIVERY_TIMEOUT_SECONDS = 900


class _Receiver:
    def __init__(self):
        self.count = 0
        self.last_at = 0.0
        self.ids: set[str] = set()
        lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lock:
                    receiver.count += 1
                    receiver.last_at = time.time()
                    receiver.ids.add(self.headers.get("webhook-id", ""))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.request_queue_size = 256
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _QueuePeak:
    """The longest the broker's default queue got, sampled every 10 ms."""

    def __init__(self, url: str):
        self.client = redis.Redis.from_url(url)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.client.llen("celery"))
            time.sleep(0.01)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        self.client.close()
        return self.peak


def _child(env: dict, command: str, logfile: Path) -> dict:
    return run_child(env, command, logfile=logfile, module="bench.webhooks_child")


def measure_fanout(
    *,
    env: dict,
    server_dsn: str,
    redis_url: str,
    alerts: int,
    subscriptions: int,
    per_alert: int,
    concurrency: int,
    logs: Path,
) -> dict:
    if data.database_ensure(server_dsn=server_dsn, dbname=DATABASE):
        log(f"webhooks: created database {DATABASE}")
    receiver = _Receiver()
    env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": env["DATABASE_URL"].rsplit("/", 1)[0] + f"/{DATABASE}",
        "CELERY_BROKER_URL": redis_url,
        "CACHE_URL": redis_url,
        "WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
        "BENCH_WEBHOOK_ALERTS": str(alerts),
        "BENCH_WEBHOOK_SUBSCRIPTIONS": str(subscriptions),
        "BENCH_WEBHOOK_PER_ALERT": str(per_alert),
        "BENCH_WEBHOOK_RECEIVER": receiver.url,
    }
    broker = redis.Redis.from_url(redis_url)
    worker = None
    try:
        migrate(env, logs / "webhooks-migrate.log")
        setup = _child(env, "setup", logs / "webhooks-setup.log")
        log(f"webhooks: {setup}")
        broker.delete("celery", "unacked", "unacked_index")
        worker_log = (logs / "webhooks-worker.log").open("ab")
        worker = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "config.celery_app", "worker"),
                *("--pool=prefork", f"--concurrency={concurrency}", "--loglevel=WARNING"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
                "--hostname=bench-webhooks@localhost",
            ],
            env=env,
            cwd=BASE_DIR,
            stdout=worker_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        from celery import Celery

        probe = Celery(broker=redis_url)
        deadline = time.monotonic() + 60
        while not probe.control.ping(destination=["bench-webhooks@localhost"], timeout=0.5):
            if time.monotonic() > deadline or worker.poll() is not None:
                raise RuntimeError("the Celery worker did not start; see webhooks-worker.log")
        peak = _QueuePeak(redis_url)
        scan = _child(env, "scan", logs / "webhooks-scan.log")
        expected = alerts * per_alert
        deadline = time.monotonic() + DELIVERY_TIMEOUT_SECONDS
        while receiver.count < expected and time.monotonic() < deadline:
            time.sleep(0.05)
        queue_peak = peak.stop()
        # A little longer: a duplicate would arrive now.
        time.sleep(0.5)
        check = _child(env, "check", logs / "webhooks-check.log")
    finally:
        if worker is not None:
            os.killpg(worker.pid, 15)
            worker.wait(timeout=30)
        receiver.close()
        broker.close()
    to_last = receiver.last_at - scan["started"]
    return {
        "alerts": scan["alerts_created"],
        "subscriptions": subscriptions,
        "per_alert": per_alert,
        "deliveries_expected": expected,
        "deliveries_received": receiver.count,
        "distinct_webhook_ids": len(receiver.ids),
        "worker_concurrency": concurrency,
        "scan_seconds": scan["committed"] - scan["started"],
        "scan_to_last_delivery_seconds": to_last,
        "commit_to_last_delivery_seconds": receiver.last_at - scan["committed"],
        "deliveries_per_second": receiver.count / max(to_last, 1e-9),
        "broker_peak_queue_length": queue_peak,
        "database_after": check,
    }


def markdown(result: dict) -> str:
    if not result.get("available", True):
        return f"Webhook fan-out: not measured ({result.get('reason', '?')}).\n"
    return "\n".join(
        [
            "### Webhook fan-out",
            "",
            f"{result['alerts']:,} overdue alerts from one scan, {result['subscriptions']:,} "
            f"subscriptions ({result['per_alert']} per alert), a receiver on 127.0.0.1, one "
            f"Celery worker with {result['worker_concurrency']} pool processes.",
            "",
            "| | |",
            "|---|---:|",
            f"| deliveries (received / expected) | {result['deliveries_received']:,} / "
            f"{result['deliveries_expected']:,} |",
            f"| distinct webhook ids received | {result['distinct_webhook_ids']:,} |",
            f"| the scan itself | {result['scan_seconds']:.2f} s |",
            "| scan start to the last delivery | "
            f"{result['scan_to_last_delivery_seconds']:.1f} s |",
            f"| deliveries per second | {result['deliveries_per_second']:,.0f} |",
            f"| broker's peak queue length | {result['broker_peak_queue_length']:,} |",
            "",
        ]
    )
