"""`make bench`: the API and the deadline scan, measured against raw baselines in the same run.

    python -m bench                  # the full run
    python -m bench --scale 0.05     # small data, for development
    python -m bench --only list,detail --skip-scan --seconds 2 --repeats 1

Steps: make and migrate the bench's own databases; generate (or reuse) the data; start the
app and the baseline under the same gunicorn settings on loopback (the baseline given the
app's generated commitment JSON SQL and status vocabulary); drive both with wrk at
each concurrency, repeated, alternating between the two; export CSV while watching the
serving worker's memory; run the deadline scan against a hand-written UPDATE; write
bench/out/results.{json,md} and bench/out/throughput.png, and print the table.

Scenarios whose URL or service does not exist yet are reported as "not available".
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

from bench import data, replicas, report, webhooks
from bench.children import BASE_DIR, log, migrate, run_child
from bench.load import lua_script, wrk_ensure, wrk_run

OUT_DIR = BASE_DIR / "bench" / "out"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
REDIS_URL = "redis://127.0.0.1:6379/12"
DATABASE = "tracker_bench"
TRACKER_TIME_ZONE = "Asia/Ashgabat"
# High enough never to answer 429 during the bench: the throttle's cost (its Redis round
# trip) is still measured, its refusals are not.
THROTTLE_RATE = "1000000000/s"

# "statuses" is the floor: no query on either side, so its ratio is the request cycle alone.
SCENARIOS = ("statuses", "list", "detail", "alerts_304", "alerts_200", "stats")
# Measured without the baseline: the issue asks for its ratio on list, detail and alerts only,
# and our stats answer from a cache the baseline does not have.
OURS_ONLY = ("stats",)
# Also measured through the front door (deploy/nginx/, run by deploy.frontdoor in front of the
# app): what anonymous readers get in production, where nginx's cache answers them.
FRONT_DOOR = ("list", "alerts_304")
LIST_QUERY = "page_size=50&status=in_progress"


# --- configuration ------------------------------------------------------------------------------


@dataclass
class Options:
    scale: float
    seconds: float
    repeats: int
    concurrency: list[int]
    only: list[str]
    workers: int
    threads: int
    timeout: int
    skip_http: bool
    skip_csv: bool
    skip_scan: bool
    scan_repeats: int
    csv_repeats: int
    regenerate: bool
    prepare_only: bool
    experiments: list[str]
    out: Path
    command: str = ""
    notes: list[str] = field(default_factory=list)
    # The webhook fan-out (bench/webhooks.py).
    webhooks_only: bool = False
    skip_webhooks: bool = False
    skip_replicas: bool = False
    skip_metrics: bool = False
    webhook_alerts: int = 10_000
    webhook_subscriptions: int = 100
    webhook_per_alert: int = 1
    webhook_concurrency: int = 4

    @property
    def gunicorn_args(self) -> list[str]:
        args = ["--workers", str(self.workers), "--timeout", str(self.timeout)]
        if self.threads > 1:
            args += ["--threads", str(self.threads)]
        return args

    def database(self, suffix: str = "") -> str:
        scale = "" if self.scale == 1 else "_x" + f"{self.scale:g}".replace(".", "_")
        return f"{DATABASE}{suffix}{scale}"


def production_gunicorn_settings() -> dict[str, int]:
    """Workers, threads and timeout of the gunicorn command in the Dockerfile's CMD, so that
    the bench serves both apps as production does (gunicorn's defaults where it is silent)."""
    found = {"workers": 1, "threads": 1, "timeout": 30}
    try:
        lines = (BASE_DIR / "Dockerfile").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        if line.startswith("CMD") and "gunicorn" in line:
            try:
                words = json.loads(line[3:].strip())
            except ValueError:
                words = line[3:].split()
            for name in found:
                if f"--{name}" in words:
                    found[name] = int(words[words.index(f"--{name}") + 1])
    return found


def parse_args(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="data size (1 = the issue's)")
    parser.add_argument("--seconds", type=float, default=4, help="wrk duration of one run")
    parser.add_argument("--repeats", type=int, default=3, help="runs per point (median)")
    parser.add_argument("--concurrency", default="1,8,32,64")
    parser.add_argument("--only", default=",".join(SCENARIOS), help="HTTP scenarios to run")
    # By default the production command's settings, read from the Dockerfile's CMD.
    production = production_gunicorn_settings()
    parser.add_argument("--workers", type=int, default=production["workers"])
    parser.add_argument("--threads", type=int, default=production["threads"])
    parser.add_argument("--timeout", type=int, default=production["timeout"])
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-csv", action="store_true")
    parser.add_argument("--skip-scan", action="store_true")
    parser.add_argument("--scan-repeats", type=int, default=3)
    parser.add_argument("--csv-repeats", type=int, default=3)
    parser.add_argument("--regenerate", action="store_true", help="do not reuse the data")
    parser.add_argument(
        "--experiments",
        default="",
        help="also measure the app with these bench.experiments patches (comma-separated)",
    )
    parser.add_argument(
        "--prepare-only", action="store_true", help="make the databases and data, then stop"
    )
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    parser.add_argument(
        "--webhooks-only", action="store_true", help="measure only the webhook fan-out"
    )
    parser.add_argument("--skip-webhooks", action="store_true")
    parser.add_argument(
        "--skip-replicas", action="store_true", help="no token reads with a streaming replica"
    )
    parser.add_argument(
        "--skip-metrics", action="store_true", help="no floor with/without request metrics"
    )
    parser.add_argument("--webhook-alerts", type=int, default=10_000)
    parser.add_argument("--webhook-subscriptions", type=int, default=100)
    parser.add_argument(
        "--webhook-per-alert", type=int, default=1, help="subscriptions each alert matches"
    )
    parser.add_argument("--webhook-concurrency", type=int, default=4, help="worker processes")
    args = parser.parse_args(argv)
    return Options(
        scale=args.scale,
        seconds=args.seconds,
        repeats=args.repeats,
        concurrency=[int(c) for c in args.concurrency.split(",")],
        only=[s for s in args.only.split(",") if s],
        workers=args.workers,
        threads=args.threads,
        timeout=args.timeout,
        skip_http=args.skip_http,
        skip_csv=args.skip_csv,
        skip_scan=args.skip_scan,
        scan_repeats=args.scan_repeats,
        csv_repeats=args.csv_repeats,
        regenerate=args.regenerate,
        prepare_only=args.prepare_only,
        experiments=[e for e in args.experiments.split(",") if e],
        out=args.out,
        command="python -m bench " + " ".join(argv) if argv else "make bench",
        webhooks_only=args.webhooks_only,
        skip_webhooks=args.skip_webhooks,
        skip_replicas=args.skip_replicas,
        skip_metrics=args.skip_metrics,
        webhook_alerts=args.webhook_alerts,
        webhook_subscriptions=args.webhook_subscriptions,
        webhook_per_alert=args.webhook_per_alert,
        webhook_concurrency=args.webhook_concurrency,
    )


def server_dsn(dbname: str = "postgres") -> str:
    return data.dsn(dbname=dbname, **PG)


def django_env(dbname: str, secret: str) -> dict[str, str]:
    """The environment of every Django process the bench starts: production settings, the
    bench's database and Redis db, nothing inherited that could point elsewhere."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_", "CACHE_", "API_", "TRACKER_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": secret,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{dbname}",
            "CELERY_BROKER_URL": REDIS_URL,
            "CACHE_URL": REDIS_URL,
            "CACHE_KEY_PREFIX": "bench",
            "API_THROTTLE_ANON": THROTTLE_RATE,
            "API_THROTTLE_USER": THROTTLE_RATE,
            "TRACKER_TIME_ZONE": TRACKER_TIME_ZONE,
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def tracker_today():
    return datetime.now(ZoneInfo(TRACKER_TIME_ZONE)).date()


# --- child processes ----------------------------------------------------------------------------


def baseline_from_app(env: dict, logs: Path) -> dict[str, str]:
    """The baseline's environment variables that carry what the app's code computes (the
    baseline imports no Django): the commitment JSON SQL and the status vocabulary."""
    found = run_child(env, "baseline", logfile=logs / "baseline-from-app.log")
    if "error" in found:
        raise SystemExit(f"bench: the baseline needs {found['error']}")
    (logs / "baseline-commitment-json.sql").write_text(found["commitment_json_sql"] + "\n")
    return {
        "BENCH_BASELINE_COMMITMENT_JSON_SQL": found["commitment_json_sql"],
        "BENCH_BASELINE_STATUSES_JSON": json.dumps(found["statuses"]),
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A gunicorn master this bench started, and only that one is ever stopped."""

    def __init__(self, name: str, app: str, env: dict, args: list[str], logfile: Path):
        self.name = name
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            app,
            "--bind",
            f"127.0.0.1:{self.port}",
            # Not a performance setting: keeps this master off the control socket that other
            # gunicorns on the machine use.
            "--no-control-socket",
            *args,
        ]
        self.log = logfile.open("a")
        self.process = subprocess.Popen(
            command, env=env, cwd=BASE_DIR, stdout=self.log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, path: str = "/health/", timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} server exited; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.base + path, timeout=5) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} server not ready after {timeout}s; see {self.log.name}")

    def workers(self) -> list:
        import psutil

        return psutil.Process(self.process.pid).children()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def http_get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


# --- HTTP scenarios -----------------------------------------------------------------------------


@dataclass
class Target:
    """One scenario on one server: what wrk requests, checked before it is measured."""

    url: str
    script: Path | None = None
    # The shape of one object in the answer, to compare ours with the baseline's.
    keys: object = None


def shape(value) -> object:
    """The keys of a JSON value, recursively (a list by its first item), without the values:
    what must be the same in our answer and the baseline's for the comparison to be fair."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in sorted(value.items())}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None


def shape_differences(ours: object, theirs: object, path: str = "") -> list[str]:
    if isinstance(ours, dict) and isinstance(theirs, dict):
        found = [f"{path}.{k}: only ours" for k in ours.keys() - theirs.keys()]
        found += [f"{path}.{k}: only the baseline" for k in theirs.keys() - ours.keys()]
        for key in ours.keys() & theirs.keys():
            found += shape_differences(ours[key], theirs[key], f"{path}.{key}")
        return sorted(found)
    if isinstance(ours, list) and isinstance(theirs, list) and ours and theirs:
        return shape_differences(ours[0], theirs[0], path + "[0]")
    return []


def _keys(body: bytes, *path) -> object:
    value = json.loads(body)
    for step in path:
        value = value[step]
    return shape(value)


def prepare_http_targets(
    name: str, servers: dict[str, Server], counts: data.Counts, alerts_max_id: int, out: Path
) -> tuple[dict[str, Target], list[str]]:
    """The URL (and wrk script) of one scenario on each server, after checking that each
    answers it as expected. A server that does not is left out, with the reason."""
    targets: dict[str, Target] = {}
    notes: list[str] = []
    bodies: dict[str, bytes] = {}
    for server_name, server in servers.items():
        if name in OURS_ONLY and server_name == "baseline":
            continue
        if server_name == "front_door" and name not in FRONT_DOOR:
            continue
        base = server.base
        if name == "statuses":
            url = f"{base}/api/v1/statuses/"
            status, _, body = http_get(url)
            ok = status == 200 and len(json.loads(body)) > 0
            target = Target(url)
            keys = _keys(body) if ok else None
            bodies[server_name] = body
        elif name == "list":
            url = f"{base}/api/v1/commitments/?{LIST_QUERY}"
            status, _, body = http_get(url)
            ok = status == 200 and len(json.loads(body).get("results", [])) == 50
            target = Target(url)
            keys = _keys(body, "results", 0) if ok else None
        elif name == "detail":
            url = f"{base}/api/v1/commitments/1/"
            status, _, body = http_get(url)
            ok = status == 200
            script = lua_script(
                out / f"detail-{server_name}.lua",
                paths=f'"/api/v1/commitments/" .. math.random(1, {counts.commitments}) .. "/"',
            )
            target = Target(url, script)
            keys = _keys(body) if ok else None
        elif name == "alerts_200":
            url = f"{base}/api/v1/alerts/?after=0"
            status, _, body = http_get(url)
            ok = status == 200 and len(json.loads(body).get("results", [])) > 0
            target = Target(url)
            keys = _keys(body, "results", 0) if ok else None
        elif name == "alerts_304":
            url = f"{base}/api/v1/alerts/?after={alerts_max_id}"
            status, headers, body = http_get(url)
            etag = headers.get("ETag") or headers.get("etag")
            ok = status == 200 and bool(etag)
            if ok:
                status, _, body = http_get(url, {"If-None-Match": etag})
                ok = status == 304
            script = lua_script(
                out / f"alerts304-{server_name}.lua", headers={"If-None-Match": etag or ""}
            )
            target = Target(url, script)
            keys = None
        elif name == "stats":
            url = f"{base}/api/v1/stats/"
            status, _, body = http_get(url)
            ok = status == 200
            target = Target(url)
            keys = _keys(body) if ok else None
        else:
            raise ValueError(name)
        if ok:
            target.keys = keys
            targets[server_name] = target
        else:
            notes.append(
                f"{name}: {server_name} answered {status} to {url}: {body[:200]!r}; left out"
            )
    if "ours" in targets and "baseline" in targets:
        differences = shape_differences(targets["ours"].keys, targets["baseline"].keys)
        if differences:
            notes.append(f"{name}: the answers' fields differ: {'; '.join(differences)}")
        # The floor compares the cost of sending one body: it must be the same body.
        if name == "statuses" and bodies["ours"] != bodies["baseline"]:
            notes.append(
                f"{name}: the bodies differ (ours {len(bodies['ours'])} bytes, the baseline's "
                f"{len(bodies['baseline'])})"
            )
    return targets, notes


def _median_point(runs: list[dict]) -> dict:
    return {
        "requests_per_s": statistics.median(r["requests_per_s"] for r in runs),
        "p50_ms": statistics.median(r["p50_ms"] for r in runs),
        "p99_ms": statistics.median(r["p99_ms"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "runs": runs,
    }


def drain(server: Server, workers: int) -> None:
    """Wait until the server has worked off what wrk left behind.

    When wrk stops it closes its connections, but requests already queued in the listen
    backlog are still handled (a sync worker finds out the client left only when it writes
    the answer): at 64 connections that is up to 64 requests of work, which would run while
    the next server is measured. One request per worker, sent together, returns only once
    every worker got through the queue ahead of it.
    """
    threads = [
        threading.Thread(target=http_get, args=(server.base + "/health/",), daemon=True)
        for _ in range(workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)


def measure_http(
    name: str,
    targets: dict[str, Target],
    servers: dict[str, Server],
    options: Options,
    wrk_log: Path,
) -> dict[str, dict]:
    """Every concurrency, `repeats` times, alternating servers run by run (so that a noisy
    moment of the machine falls on both), each run starting on an idle machine."""
    for server, target in targets.items():  # warm-up: connections, caches, first requests
        wrk_run(target.url, connections=8, seconds=1, script=target.script, log=wrk_log)
        drain(servers[server], options.workers)
    points: dict[str, dict] = {server: {} for server in targets}
    for concurrency in options.concurrency:
        runs: dict[str, list[dict]] = {server: [] for server in targets}
        for _ in range(options.repeats):
            for server, target in targets.items():
                result = wrk_run(
                    target.url,
                    connections=concurrency,
                    seconds=options.seconds,
                    script=target.script,
                    log=wrk_log,
                )
                runs[server].append(result.as_dict())
                drain(servers[server], options.workers)
        for server, server_runs in runs.items():
            points[server][str(concurrency)] = _median_point(server_runs)
        summary = "  ".join(
            f"{server} {points[server][str(concurrency)]['requests_per_s']:.0f} req/s "
            f"p99 {points[server][str(concurrency)]['p99_ms']:.1f} ms"
            for server in targets
        )
        log(f"  {name} c={concurrency}: {summary}")
    return points


def front_door(app: Server, logs: Path, notes: list[str]):
    """nginx with the committed template in front of the app (an object with `base` and
    `stop()`, like a Server), or None without nginx; its cache keeps anonymous answers for
    API_CACHE_SECONDS."""
    from deploy.frontdoor import NginxServer, nginx_executable

    try:
        nginx_executable()
    except FileNotFoundError as error:
        notes.append(f"front door: not measured, {error}")
        log(notes[-1])
        return None
    proxy = NginxServer(
        upstream=f"127.0.0.1:{app.port}",
        body_limit=0,  # no limit: the bench sends no bodies
        directory=logs / "nginx",
    ).start()
    log(f"front door up: nginx {proxy.base} in front of the app")
    return proxy


# --- reads past one database, and the metrics middleware -----------------------------------------


def app_servers(options: Options, logs: Path, **envs: dict) -> dict[str, Server]:
    """The app under gunicorn once per environment, each named by its keyword, all ready."""
    servers = {
        name: Server(
            name, "config.wsgi:application", env, options.gunicorn_args, logs / f"app-{name}.log"
        )
        for name, env in envs.items()
    }
    try:
        for server in servers.values():
            server.wait_ready()
    except BaseException:
        for server in servers.values():
            server.stop()
        raise
    return servers


def measure_token_reads_with_replica(
    options: Options, api_env: dict, api_db: str, counts: data.Counts, logs: Path
) -> dict:
    """A token reader's list and detail, the app on a private primary alone and the same app
    with its streaming replica (bench/replicas.py), same run, alternating."""
    cluster = replicas.replicated_database(source_dsn=server_dsn(api_db), env=api_env, logs=logs)
    headers = replicas.reader_headers(cluster.token)
    primary_env = {**api_env, "DATABASE_URL": cluster.primary_url}
    try:
        servers = app_servers(
            options,
            logs,
            primary_only=primary_env,
            with_replica={**primary_env, "DATABASE_REPLICA_URLS": cluster.replica_url},
        )
    except BaseException:
        cluster.stop()
        raise
    results: dict = {}
    try:
        for name in ("list", "detail"):
            targets = {}
            for server_name, server in servers.items():
                if name == "list":
                    url = f"{server.base}/api/v1/commitments/?{LIST_QUERY}"
                    paths = ""
                else:
                    url = f"{server.base}/api/v1/commitments/1/"
                    paths = f'"/api/v1/commitments/" .. math.random(1, {counts.commitments}) .. "/"'
                status, _, body = http_get(url, headers)
                if status != 200:
                    raise RuntimeError(f"replicas: {server_name} answered {status}: {body[:200]}")
                script = lua_script(
                    logs / f"replica-{name}-{server_name}.lua", headers=headers, paths=paths
                )
                targets[server_name] = Target(url, script)
            log(f"replicas: {name} by a token reader, primary only and with one replica")
            results[name] = measure_http(
                f"token {name}", targets, servers, options, logs / "wrk.log"
            )
    finally:
        for server in servers.values():
            server.stop()
        cluster.stop()
    return results


def measure_metrics_overhead(options: Options, api_env: dict, logs: Path) -> dict:
    """The floor endpoint with django-prometheus's request middleware and without it
    (METRICS_HTTP_REQUESTS=false), same run, alternating."""
    servers = app_servers(
        options,
        logs,
        with_metrics=api_env,
        without_metrics={**api_env, "METRICS_HTTP_REQUESTS": "false"},
    )
    try:
        targets = {name: Target(f"{s.base}/api/v1/statuses/") for name, s in servers.items()}
        log("metrics: the floor with and without the request middleware")
        return measure_http("floor metrics", targets, servers, options, logs / "wrk.log")
    finally:
        for server in servers.values():
            server.stop()


# --- CSV --------------------------------------------------------------------------------------


class RssWatcher:
    """Samples the RSS of a server's worker processes until stopped; keeps each one's peak."""

    def __init__(self, server: Server, interval: float = 0.01):
        self.processes = server.workers()
        self.before = {p.pid: p.memory_info().rss for p in self.processes}
        self.peak = dict(self.before)
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            for process in self.processes:
                try:
                    rss = process.memory_info().rss
                except psutil.Error:
                    continue
                if rss > self.peak[process.pid]:
                    self.peak[process.pid] = rss
            time.sleep(self.interval)

    def __enter__(self) -> RssWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def busiest(self) -> tuple[float, float]:
        """(RSS before, peak RSS) in MB of the worker whose memory grew the most."""
        pid = max(self.peak, key=lambda p: self.peak[p] - self.before[p])
        return self.before[pid] / 2**20, self.peak[pid] / 2**20


def measure_csv(server: Server, options: Options, expected_rows: int) -> dict:
    """Download the whole export, timing it and watching the workers' memory. A download cut
    short (a worker killed mid-stream) is recorded as such, and not repeated."""
    path = "/api/v1/commitments/?format=csv"
    runs = []
    for _ in range(options.csv_repeats):
        log_size = Path(server.log.name).stat().st_size
        with RssWatcher(server) as watcher:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
            started = time.perf_counter()
            connection.request("GET", path)
            answer = connection.getresponse()
            if answer.status != 200 or "csv" not in (answer.getheader("Content-Type") or ""):
                body = answer.read(300)
                connection.close()
                return {"available": False, "reason": f"{answer.status}: {body!r}"}
            size = lines = 0
            error = None
            try:
                while chunk := answer.read(65536):
                    size += len(chunk)
                    lines += chunk.count(b"\n")
            except (http.client.HTTPException, OSError) as failure:
                error = f"{failure.__class__.__name__} after {time.perf_counter() - started:.1f}s"
            seconds = time.perf_counter() - started
            connection.close()
        before, peak = watcher.busiest()
        rows = max(0, lines - 1)
        complete = error is None and rows == expected_rows
        if not complete:
            server.log.flush()
            with open(server.log.name) as server_log:
                server_log.seek(log_size)
                said = [line.strip() for line in server_log if "WORKER TIMEOUT" in line]
            error = (error or f"{rows:,} of {expected_rows:,} rows") + (
                f"; the server logged: {said[0]}" if said else ""
            )
        runs.append(
            {
                "seconds": seconds,
                "bytes": size,
                "rows": rows,
                "before": before,
                "peak": peak,
                "complete": complete,
                "error": error,
            }
        )
        memory = f"worker RSS {before:.0f} → {peak:.0f} MB"
        state = "" if complete else f" — CUT SHORT: {error}"
        log(f"  csv: {rows:,} rows, {size / 2**20:.1f} MB in {seconds:.2f}s, {memory}{state}")
        if not complete:
            break
    return {
        "available": True,
        "complete": all(r["complete"] for r in runs),
        "error": next((r["error"] for r in runs if r["error"]), None),
        "expected_rows": expected_rows,
        "rows": runs[-1]["rows"],
        "megabytes": runs[-1]["bytes"] / 2**20,
        "seconds": statistics.median(r["seconds"] for r in runs),
        "runs_seconds": [r["seconds"] for r in runs],
        "peak_rss_mb": statistics.median(r["peak"] for r in runs),
        "runs_peak_rss_mb": [r["peak"] for r in runs],
        "rss_before_mb": statistics.median(r["before"] for r in runs),
    }


# --- the deadline scan --------------------------------------------------------------------------

OPEN = list(data.OPEN_STATUSES)


def scan_reset(conn: psycopg.Connection, alert_table: str | None) -> None:
    """Back to the state before any scan: no flags (overdue, stale evidence), versions as
    generated, no alerts."""
    conn.execute(
        """
        UPDATE commitments_commitment
           SET is_overdue = FALSE, overdue_since = NULL, evidence_stale = FALSE, version = 1
         WHERE is_overdue OR evidence_stale OR version <> 1
        """
    )
    if alert_table:
        conn.execute(f"TRUNCATE {alert_table} CASCADE")
    conn.execute("VACUUM (ANALYZE) commitments_commitment")
    if alert_table:
        conn.execute(f"VACUUM (ANALYZE) {alert_table}")


# The rows and values of commitments_refresh_overdue_flags' UPDATE, updated_at included: its
# index takes new keys, so a baseline leaving it alone would do less work than the service.
RAW_UPDATE = """
UPDATE commitments_commitment
   SET is_overdue = TRUE, overdue_since = deadline_last_day + 1, version = version + 1,
       updated_at = now()
 WHERE status = ANY(%(open)s) AND deadline_last_day < %(today)s AND NOT is_overdue
"""


def raw_scan(conn: psycopg.Connection, *, today, alert_table: str | None) -> tuple[float, int]:
    """The same rows flagged by one hand-written statement; with `alert_table`, their overdue
    alerts inserted by the same statement."""
    sql = RAW_UPDATE
    if alert_table:
        sql = f"""
        WITH flagged AS ({RAW_UPDATE} RETURNING id, deadline_last_day)
        INSERT INTO {alert_table} (kind, commitment_id, last_day, created_at)
        SELECT 'overdue', id, deadline_last_day, now() FROM flagged ORDER BY id
        """
    started = time.perf_counter()
    with conn.transaction():
        cursor = conn.execute(sql, {"open": OPEN, "today": today})
    return time.perf_counter() - started, cursor.rowcount


# The stale-evidence flag as commitments_refresh_stale_flags sets it, written out by hand: not
# final, and evidence older than the cutoff, or a deadline over for the grace period with no
# evidence since (none at all included). coalesce: a NULL comparison leaves the flag false.
RAW_STALE_CONDITION = """
coalesce(status = ANY(%(open)s)
         AND (last_evidence_on < %(cutoff)s
              OR (deadline_last_day < %(grace)s
                  AND (last_evidence_on IS NULL OR last_evidence_on <= deadline_last_day))),
         FALSE)
"""
# Every row whose flag is wrong, set to the right value, version and updated_at moved as the
# service moves them.
RAW_STALE_UPDATE = f"""
UPDATE commitments_commitment
   SET evidence_stale = {RAW_STALE_CONDITION}, version = version + 1, updated_at = now()
 WHERE evidence_stale IS DISTINCT FROM {RAW_STALE_CONDITION}
"""


def stale_params(today, evidence: dict) -> dict:
    """RAW_STALE_UPDATE's parameters for `today`, with the settings' days (`evidence`: the
    probe's `stale`)."""
    return {
        "open": OPEN,
        "cutoff": today - timedelta(days=evidence["stale_days"]),
        "grace": today - timedelta(days=evidence["grace_days"]),
    }


def raw_stale_scan(conn: psycopg.Connection, *, today, evidence: dict) -> tuple[float, int]:
    """The stale-evidence flag set by one hand-written statement (no alerts)."""
    started = time.perf_counter()
    with conn.transaction():
        cursor = conn.execute(RAW_STALE_UPDATE, stale_params(today, evidence))
    return time.perf_counter() - started, cursor.rowcount


def _vacuum(conn: psycopg.Connection, alert_table: str | None) -> None:
    conn.execute("VACUUM (ANALYZE) commitments_commitment")
    if alert_table:
        conn.execute(f"VACUUM (ANALYZE) {alert_table}")


def _scan_round(conn, env: dict, alert_table: str | None, logs: Path, *, steady: bool) -> dict:
    """The service's full scan and its idle re-scans (in one child process); with `steady`,
    after a VACUUM (what autovacuum leaves between two beats), idle re-scans again."""
    scan_reset(conn, alert_table)
    child = run_child(env, "scan", logfile=logs / "scan.log")
    done = {
        "service": child["full"]["seconds"],
        "flagged": child["full"]["flagged"],
        "alerts": child["full"]["alerts"],
        "stale_in_scan": child["full"].get("stale_seconds"),
        "stale_flagged_in_scan": child["full"].get("stale_flagged"),
        "idle": statistics.median(i["seconds"] for i in child["idle"]),
        "peak_rss_mb": child["peak_rss_mb"],
    }
    if steady:
        _vacuum(conn, alert_table)
        again = run_child(env, "idle", logfile=logs / "scan.log")
        done["idle_steady"] = statistics.median(i["seconds"] for i in again["idle"])
    return done


def _stale_round(conn, env: dict, alert_table: str | None, logs: Path, *, today, steady: bool):
    """commitments_refresh_stale_flags alone after a reset, and its idle re-scans (in one
    child process); with `steady`, after a VACUUM, idle re-scans again."""
    scan_reset(conn, alert_table)
    child = run_child(env, "stale", today.isoformat(), logfile=logs / "scan.log")
    done = {
        "service": child["full"]["seconds"],
        "flagged": child["full"]["flagged"],
        "cleared": child["full"]["cleared"],
        "idle": statistics.median(i["seconds"] for i in child["idle"]),
        "idle_changed": sum(i["changed"] for i in child["idle"]),
    }
    if steady:
        _vacuum(conn, alert_table)
        again = run_child(env, "stale_idle", today.isoformat(), logfile=logs / "scan.log")
        done["idle_steady"] = statistics.median(i["seconds"] for i in again["idle"])
    return done


def _stale_measure(
    conn, env: dict, alert_table: str | None, logs: Path, *, today, evidence: dict, first: bool
) -> dict:
    """One round of the stale-evidence flag: the raw UPDATE after a reset, then the service
    after a reset, on the same rows; a different count is a bug in one of them."""
    scan_reset(conn, alert_table)
    raw_seconds, count = raw_stale_scan(conn, today=today, evidence=evidence)
    done = _stale_round(conn, env, alert_table, logs, today=today, steady=first)
    if done["flagged"] != count or done["cleared"] or done["idle_changed"]:
        raise RuntimeError(
            f"stale scan: the service flagged {done['flagged']:,} rows (cleared "
            f"{done['cleared']:,}, {done['idle_changed']:,} changes when idle), the raw UPDATE "
            f"{count:,}"
        )
    return {**done, "raw": raw_seconds, "raw_flagged": count}


def measure_scan(
    options: Options, env: dict, alert_table: str | None, logs: Path, evidence: dict | None
) -> dict:
    """The overdue scan against its raw UPDATE and, with `evidence` (the settings' days, from
    the probe), the stale-evidence flag against its own, round by round."""
    today = tracker_today()
    runs: dict[str, list] = {
        "raw": [],
        "raw_with_alerts": [],
        "service": [],
        "idle": [],
        "idle_steady": [],
        "peak_rss_mb": [],
        "stale_in_scan": [],
    }
    stale_runs: dict[str, list] = {"raw": [], "service": [], "idle": [], "idle_steady": []}
    flagged = alerts = stale_flagged = 0
    experiment = None
    with psycopg.connect(server_dsn(options.database("_scan")), autocommit=True) as conn:
        rows, open_rows = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = ANY(%s)) FROM commitments_commitment",
            [OPEN],
        ).fetchone()
        for repeat in range(options.scan_repeats):
            scan_reset(conn, alert_table)
            seconds, count = raw_scan(conn, today=today, alert_table=None)
            runs["raw"].append(seconds)
            # For context, and the steady-state idle re-scan: the first round only (each costs
            # a reset or a VACUUM of the million rows).
            first = repeat == 0
            if alert_table and first:
                scan_reset(conn, alert_table)
                seconds_alerts, _ = raw_scan(conn, today=today, alert_table=alert_table)
                runs["raw_with_alerts"].append(seconds_alerts)
            done = _scan_round(conn, env, alert_table, logs, steady=first)
            for key in ("service", "idle", "idle_steady", "peak_rss_mb", "stale_in_scan"):
                if done.get(key) is not None:
                    runs[key].append(done[key])
            flagged, alerts = done["flagged"], done["alerts"]
            if flagged != count:
                options.notes.append(
                    f"scan: the service flagged {flagged:,} rows, the raw UPDATE {count:,}"
                )
            log(
                f"  scan #{repeat + 1}: raw UPDATE {seconds:.2f}s"
                + (f", raw UPDATE+alerts {seconds_alerts:.2f}s" if alert_table and first else "")
                + f", service {done['service']:.2f}s, idle re-scan {done['idle'] * 1000:.0f} ms"
                + (f" (after VACUUM {done['idle_steady'] * 1000:.0f} ms)" if first else "")
                + f", peak RSS {done['peak_rss_mb']:.0f} MB"
            )
            if evidence is None:
                continue
            in_scan = done.get("stale_flagged_in_scan")
            stale = _stale_measure(
                conn, env, alert_table, logs, today=today, evidence=evidence, first=first
            )
            if in_scan is not None and in_scan != stale["raw_flagged"]:
                raise RuntimeError(
                    f"stale scan: deadlines_scan flagged {in_scan:,} rows stale, the raw UPDATE "
                    f"{stale['raw_flagged']:,}"
                )
            for key in stale_runs:
                if key in stale:
                    stale_runs[key].append(stale[key])
            stale_flagged = stale["flagged"]
            log(
                f"  stale #{repeat + 1}: raw UPDATE {stale['raw']:.2f}s, service "
                f"{stale['service']:.2f}s ({stale_flagged:,} rows), idle re-scan "
                f"{stale['idle'] * 1000:.0f} ms"
                + (f" (after VACUUM {stale['idle_steady'] * 1000:.0f} ms)" if first else "")
                + (
                    f"; inside deadlines_scan {done['stale_in_scan']:.2f}s"
                    if done.get("stale_in_scan") is not None
                    else ""
                )
            )
        from bench.experiments import SCAN_EXPERIMENTS

        for name in options.experiments:
            if name not in SCAN_EXPERIMENTS:
                continue
            indexes = SCAN_EXPERIMENTS[name]
            for sql in indexes.values():
                conn.execute(sql)
            try:
                done = _scan_round(
                    conn, {**env, "BENCH_EXPERIMENTS": name}, alert_table, logs, steady=True
                )
            finally:
                for index in indexes:
                    conn.execute(f"DROP INDEX IF EXISTS {index}")
            experiment = {**done, "name": name}
            log(
                f"  scan with {name}: service {done['service']:.2f}s, idle re-scan "
                f"{done['idle'] * 1000:.0f} ms (after VACUUM {done['idle_steady'] * 1000:.0f} ms)"
            )
    return {
        "available": True,
        "rows": rows,
        "flagged": flagged,
        "alerts": alerts,
        "raw_seconds": statistics.median(runs["raw"]),
        "raw_with_alerts_seconds": (
            statistics.median(runs["raw_with_alerts"]) if runs["raw_with_alerts"] else None
        ),
        "service_seconds": statistics.median(runs["service"]),
        "idle_seconds": statistics.median(runs["idle"]),
        "idle_steady_seconds": statistics.median(runs["idle_steady"]),
        "peak_rss_mb": statistics.median(runs["peak_rss_mb"]),
        "stale_in_scan_seconds": (
            statistics.median(runs["stale_in_scan"]) if runs["stale_in_scan"] else None
        ),
        "runs": runs,
        "experiment": experiment,
        "stale": (
            {
                "available": True,
                "open_rows": open_rows,
                "flagged": stale_flagged,
                "raw_seconds": statistics.median(stale_runs["raw"]),
                "service_seconds": statistics.median(stale_runs["service"]),
                "idle_seconds": statistics.median(stale_runs["idle"]),
                "idle_steady_seconds": statistics.median(stale_runs["idle_steady"]),
                "runs": stale_runs,
            }
            if evidence is not None
            else {
                "available": False,
                "reason": "commitments.services.commitments_refresh_stale_flags missing",
            }
        ),
    }


# --- data ---------------------------------------------------------------------------------------


def ensure_data(options: Options, api_env: dict, scan_env: dict, probe: dict, logs: Path) -> dict:
    counts = data.Counts.at_scale(options.scale)
    today = tracker_today()
    summary = {}

    def sublog(message: str) -> None:
        log("  " + message)

    datasets = [("api", options.database(), data.api_dataset_generate)]
    if not options.skip_scan:
        datasets.append(("scan", options.database("_scan"), data.scan_dataset_generate))
    for kind, dbname, generate in datasets:
        wanted = data.params_for(kind, counts, today)
        with psycopg.connect(server_dsn(dbname), autocommit=True) as conn:
            found = data.marker_get(conn, "dataset")
            if not options.regenerate and data.marker_is_reusable(found, wanted, today):
                log(f"{kind} dataset: reusing {dbname} (made for {found['today']})")
            else:
                log(f"{kind} dataset: generating in {dbname}")
                data.marker_clear(conn, "dataset")
                data.marker_clear(conn, "prepared")
                started = time.perf_counter()
                generate(conn, counts, today, sublog)
                if kind == "api":  # its titles and names are read in English, by column
                    run_child(api_env, "english", logfile=logs / "english.log")
                seconds = time.perf_counter() - started
                data.marker_set(conn, "dataset", wanted, seconds)
                log(f"{kind} dataset: generated in {seconds:.1f}s")
            summary[kind] = data.dataset_summary(conn, today)

    # The API dataset as the clock leaves it: overdue flags set, alerts recorded.
    with psycopg.connect(server_dsn(options.database()), autocommit=True) as conn:
        how = "deadlines_scan" if probe.get("scan") else "commitments_refresh_overdue_flags"
        prepared = data.marker_get(conn, "prepared")
        if not prepared or prepared.get("with") != how:
            conn.execute(
                "UPDATE commitments_commitment SET is_overdue = FALSE, overdue_since = NULL, "
                "evidence_stale = FALSE WHERE is_overdue OR evidence_stale"
            )
            if probe.get("alert_table"):
                conn.execute(f"TRUNCATE {probe['alert_table']} CASCADE")
            result = run_child(api_env, "prepare", logfile=logs / "prepare.log")
            conn.execute("VACUUM (ANALYZE)")
            data.marker_set(conn, "prepared", {"with": result["with"]}, result["seconds"])
            log(f"api dataset: prepared with {result['with']} ({result['flagged']:,} overdue)")
        summary["api"] = data.dataset_summary(conn, today)
        alerts_max = 0
        if probe.get("alert_table"):
            alerts_max = conn.execute(
                f"SELECT coalesce(max(a.id), 0), count(*) FROM {probe['alert_table']} a "
                "JOIN commitments_commitment c ON c.id = a.commitment_id WHERE c.is_published"
            ).fetchone()
            summary["api"]["alerts"] = alerts_max[1]
            alerts_max = alerts_max[0]
        summary["alerts_max_id"] = alerts_max
    summary["counts"] = counts
    return summary


# --- targets ------------------------------------------------------------------------------------


def _divide(a: float, b: float) -> float:
    return a / b if b else float("inf")


def floor_rows(http_results: dict) -> list[dict]:
    """The status vocabulary (no query on either side) at each concurrency: what Django's and
    DRF's request cycle alone costs against the bare WSGI app. A reference, not a target."""
    scenario = http_results.get("statuses") or {}
    points = scenario.get("points") or {}
    if not scenario.get("available") or "baseline" not in points:
        return []
    rows = []
    for c in sorted(points["ours"], key=int):
        ours, base = points["ours"][c]["requests_per_s"], points["baseline"][c]["requests_per_s"]
        rows.append(
            {
                "name": f"floor: status vocabulary (no query), c={c}",
                "goal": "none (reference)",
                "measured": f"{_divide(ours, base):.2f}x (ours {ours:,.0f} vs baseline "
                f"{base:,.0f} req/s)",
                "met": None,
            }
        )
    return rows


def replica_and_metrics_rows(results: dict) -> list[dict]:
    """A token reader's reads with one replica against the primary alone (a reference: on
    one machine the replica shares its cores), and the metrics middleware's price on the
    floor (goal: under 5%)."""
    rows = []
    for name, points in (results.get("replicas") or {}).items():
        for c in sorted(points["primary_only"], key=int):
            alone = points["primary_only"][c]["requests_per_s"]
            replica = points["with_replica"][c]["requests_per_s"]
            rows.append(
                {
                    "name": f"token {name} with one replica, c={c}",
                    "goal": "none (reference)",
                    "measured": f"{_divide(replica, alone):.2f}x of the primary alone "
                    f"({replica:,.0f} vs {alone:,.0f} req/s)",
                    "met": None,
                }
            )
    points = results.get("metrics_overhead") or {}
    for c in sorted(points.get("with_metrics", {}), key=int):
        with_metrics = points["with_metrics"][c]["requests_per_s"]
        without = points["without_metrics"][c]["requests_per_s"]
        overhead = 1 - _divide(with_metrics, without)
        rows.append(
            {
                "name": f"metrics middleware on the floor, c={c}",
                "goal": "< 5% fewer req/s",
                "measured": f"{overhead:+.1%} ({with_metrics:,.0f} with, {without:,.0f} "
                "without req/s)",
                "met": overhead < 0.05,
            }
        )
    return rows


def stale_target(scan: dict) -> dict:
    """The stale-evidence flag's UPDATE (commitments_refresh_stale_flags alone) against the
    hand-written one, with its idle re-scan and its rows."""
    stale = scan.get("stale") or {}
    if not stale.get("available"):
        return {
            "name": "stale scan",
            "goal": "≤ 1.5x its raw UPDATE",
            "measured": stale.get("reason", "not run"),
            "met": None,
        }
    ratio = stale["service_seconds"] / stale["raw_seconds"]
    return {
        "name": f"stale scan of {scan['rows']:,} rows ({stale['flagged']:,} flagged)",
        "goal": "≤ 1.5x its raw UPDATE",
        "measured": f"{ratio:.2f}x ({stale['service_seconds']:.2f}s vs "
        f"{stale['raw_seconds']:.2f}s); idle re-scan {stale['idle_seconds'] * 1000:.1f} ms, "
        f"{stale['idle_steady_seconds'] * 1000:.1f} ms after VACUUM",
        "met": ratio <= 1.5,
    }


def evaluate_targets(results: dict, options: Options) -> list[dict]:
    http_results = results.get("http", {})
    targets = floor_rows(http_results)

    def ratios(name: str) -> list[tuple[str, float, float]] | None:
        scenario = http_results.get(name) or {}
        points = scenario.get("points") or {}
        if not scenario.get("available") or "baseline" not in points:
            return None
        out = []
        for c, ours in points["ours"].items():
            base = points["baseline"][c]
            out.append(
                (
                    c,
                    _divide(ours["requests_per_s"], base["requests_per_s"]),
                    _divide(ours["p99_ms"], base["p99_ms"]),
                )
            )
        return out

    for name, label in (("list", "list"), ("detail", "detail")):
        found = ratios(name)
        if found is None:
            targets.append(
                {
                    "name": f"{label} req/s",
                    "goal": "≥ 0.5x baseline",
                    "measured": "not run",
                    "met": None,
                }
            )
            targets.append(
                {
                    "name": f"{label} p99",
                    "goal": "≤ 3x baseline",
                    "measured": "not run",
                    "met": None,
                }
            )
            continue
        worst_rps = min(found, key=lambda r: r[1])
        worst_p99 = max(found, key=lambda r: r[2])
        targets.append(
            {
                "name": f"{label} req/s",
                "goal": "≥ 0.5x baseline at every concurrency",
                "measured": f"worst {worst_rps[1]:.2f}x (c={worst_rps[0]}); "
                + ", ".join(f"c={c}: {r:.2f}x" for c, r, _ in found),
                "met": worst_rps[1] >= 0.5,
            }
        )
        targets.append(
            {
                "name": f"{label} p99",
                "goal": "≤ 3x baseline at every concurrency",
                "measured": f"worst {worst_p99[2]:.2f}x (c={worst_p99[0]}); "
                + ", ".join(f"c={c}: {p:.2f}x" for c, _, p in found),
                "met": worst_p99[2] <= 3,
            }
        )
    found = ratios("alerts_304")
    if found is None:
        targets.append(
            {
                "name": "alerts 304 req/s",
                "goal": "≥ 0.8x baseline",
                "measured": "not run",
                "met": None,
            }
        )
    else:
        worst = min(found, key=lambda r: r[1])
        targets.append(
            {
                "name": "alerts 304 req/s",
                "goal": "≥ 0.8x baseline at every concurrency",
                "measured": f"worst {worst[1]:.2f}x (c={worst[0]}); "
                + ", ".join(f"c={c}: {r:.2f}x" for c, r, _ in found),
                "met": worst[1] >= 0.8,
            }
        )
    points = (http_results.get("alerts_304") or {}).get("points") or {}
    if "front_door" in points and "baseline" in points:
        found = [
            (c, _divide(door["requests_per_s"], points["baseline"][c]["requests_per_s"]))
            for c, door in points["front_door"].items()
        ]
        worst = min(found, key=lambda r: r[1])
        targets.append(
            {
                "name": "alerts 304 req/s through the front door (anonymous, nginx cache)",
                "goal": "≥ 1.0x baseline at every concurrency",
                "measured": f"worst {worst[1]:.2f}x (c={worst[0]}); "
                + ", ".join(f"c={c}: {r:.2f}x" for c, r in found),
                "met": worst[1] >= 1.0,
            }
        )
    top = str(max(options.concurrency))
    errors = {
        name: s["points"]["ours"][top]["errors"]
        for name, s in http_results.items()
        if s.get("available") and top in s["points"].get("ours", {})
    }
    targets.append(
        {
            "name": f"errors at {top} concurrent",
            "goal": "none",
            "measured": ", ".join(f"{n}: {e}" for n, e in errors.items()) or "not run",
            "met": (sum(errors.values()) == 0) if errors else None,
        }
    )
    scan = results.get("scan") or {}
    if scan.get("available"):
        ratio = scan["service_seconds"] / scan["raw_seconds"]
        targets += [
            {
                "name": f"scan of {scan['rows']:,} rows",
                "goal": "≤ 1.5x the raw UPDATE",
                "measured": f"{ratio:.2f}x ({scan['service_seconds']:.2f}s vs "
                f"{scan['raw_seconds']:.2f}s)",
                "met": ratio <= 1.5,
            },
            stale_target(scan),
            {
                "name": "idle re-scan, right after the full scan",
                "goal": "< 100 ms",
                "measured": f"{scan['idle_seconds'] * 1000:.1f} ms",
                "met": scan["idle_seconds"] < 0.1,
            },
            {
                "name": "idle re-scan, steady state (after VACUUM)",
                "goal": "< 100 ms",
                "measured": f"{scan['idle_steady_seconds'] * 1000:.1f} ms",
                "met": scan["idle_steady_seconds"] < 0.1,
            },
            {
                "name": "scan worker peak memory",
                "goal": "< 300 MB",
                "measured": f"{scan['peak_rss_mb']:.0f} MB",
                "met": scan["peak_rss_mb"] < 300,
            },
        ]
    else:
        targets.append(
            {
                "name": "deadline scan",
                "goal": "—",
                "measured": scan.get("reason", "not run"),
                "met": None,
            }
        )
    targets += replica_and_metrics_rows(results)
    csv = results.get("csv") or {}
    targets.append(
        {
            "name": "CSV export peak memory",
            "goal": "< 150 MB",
            "measured": (
                f"{csv['peak_rss_mb']:.0f} MB ({csv['rows']:,} rows in {csv['seconds']:.1f}s)"
                + ("" if csv["complete"] else f"; the export was CUT SHORT: {csv['error']}")
                if csv.get("available")
                else csv.get("reason", "not run")
            ),
            "met": (csv["complete"] and csv["peak_rss_mb"] < 150) if csv.get("available") else None,
        }
    )
    return targets


# --- meta ---------------------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _version(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=10)
        return (done.stdout or done.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "?"


def meta(options: Options) -> dict:
    import django
    import gunicorn
    import psutil

    with psycopg.connect(server_dsn()) as conn:
        postgres = conn.execute("SHOW server_version").fetchone()[0]
    commit = _version(["git", "-C", str(BASE_DIR), "rev-parse", "--short", "HEAD"])
    dirty = _version(["git", "-C", str(BASE_DIR), "status", "--porcelain", "--untracked-files=no"])
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "postgres": postgres,
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "wrk": _version(["wrk", "--version"]).split(" [")[0],
        "commit": commit + (" (with uncommitted changes)" if dirty and dirty != "?" else ""),
        "gunicorn_args": " ".join(options.gunicorn_args) + " (sync)" * (options.threads <= 1),
        "seconds": options.seconds,
        "repeats": options.repeats,
        "concurrency": ", ".join(map(str, options.concurrency)),
        "scale": options.scale,
        "command": options.command,
        "experiments": ",".join(options.experiments),
        "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


# --- main ---------------------------------------------------------------------------------------


def measure_webhooks(options: Options, env: dict, logs: Path) -> dict:
    return webhooks.measure_fanout(
        env=env,
        server_dsn=server_dsn(),
        redis_url=REDIS_URL,
        alerts=options.webhook_alerts,
        subscriptions=options.webhook_subscriptions,
        per_alert=options.webhook_per_alert,
        concurrency=options.webhook_concurrency,
        logs=logs,
    )


def webhooks_only(options: Options, logs: Path, wall: float) -> int:
    """`--webhooks-only`: the fan-out alone, its table printed and kept in webhooks.json."""
    result = measure_webhooks(options, django_env(DATABASE, secrets.token_urlsafe(50)), logs)
    result["wall_seconds"] = time.perf_counter() - wall
    (options.out / "webhooks.json").write_text(json.dumps(result, indent=2, default=str))
    print()
    print(webhooks.markdown(result))
    log(f"wrote {options.out / 'webhooks.json'}; wall time {result['wall_seconds']:.0f}s")
    return 0


def main(argv: list[str] | None = None) -> int:
    wall = time.perf_counter()
    options = parse_args(sys.argv[1:] if argv is None else argv)
    options.out.mkdir(parents=True, exist_ok=True)
    logs = options.out / "logs"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir()
    if options.webhooks_only:
        return webhooks_only(options, logs, wall)
    wrk_ensure()
    results: dict = {"meta": meta(options), "notes": options.notes}
    secret = secrets.token_urlsafe(50)
    api_db, scan_db = options.database(), options.database("_scan")
    api_env, scan_env = django_env(api_db, secret), django_env(scan_db, secret)

    databases = [(api_db, api_env)] + ([] if options.skip_scan else [(scan_db, scan_env)])
    for dbname, env in databases:
        if data.database_ensure(server_dsn=server_dsn(), dbname=dbname):
            log(f"created database {dbname}")
        migrate(env, logs / "migrate.log")
    log(f"migrated {', '.join(db for db, _ in databases)} (production settings)")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # the bench's own db number: throttle counters

    probe = run_child(api_env, "probe", logfile=logs / "probe.log")
    log("available: " + ", ".join(f"{k}={v}" for k, v in probe.items()))
    summary = ensure_data(options, api_env, scan_env, probe, logs)
    counts: data.Counts = summary["counts"]
    if options.prepare_only:
        log(f"data ready in {time.perf_counter() - wall:.0f}s: {summary}")
        return 0
    results["meta"]["data"] = (
        f"{counts.commitments:,} commitments ({summary['api']['overdue']:,} overdue, "
        f"{summary['api'].get('alerts', 0):,} alerts), {counts.sources:,} sources, "
        f"{counts.commitments * counts.citations_per_commitment:,} citations, "
        f"{counts.actors:,} actors; scan: {counts.scan_commitments:,} commitments"
    )

    needs = {
        "statuses": probe["statuses"],
        "list": probe["commitment_list"],
        "detail": probe["commitment_detail"],
        "alerts_304": probe["alerts"],
        "alerts_200": probe["alerts"],
        "stats": probe["stats"],
    }
    results["http"] = {}
    servers: dict[str, Server] = {}
    try:
        if not (options.skip_http and options.skip_csv):
            from_app = baseline_from_app(api_env, logs)
            servers["ours"] = Server(
                "app", "config.wsgi:application", api_env, options.gunicorn_args, logs / "app.log"
            )
            baseline_env = {
                **api_env,
                "BENCH_BASELINE_DSN": server_dsn(api_db),
                "BENCH_BASELINE_POOL": str(max(1, options.threads)),
                **from_app,
            }
            servers["baseline"] = Server(
                "baseline",
                "bench.baseline_app:application",
                baseline_env,
                options.gunicorn_args,
                logs / "baseline.log",
            )
            if options.experiments:
                from bench.experiments import EXPERIMENTS

                unknown = set(options.experiments) - set(EXPERIMENTS)
                if unknown:
                    raise SystemExit(f"bench: unknown experiments {sorted(unknown)}")
                servers["experiment"] = Server(
                    "experiment",
                    "bench.experiments:application",
                    {**api_env, "BENCH_EXPERIMENTS": ",".join(options.experiments)},
                    options.gunicorn_args,
                    logs / "experiment.log",
                )
            for server in servers.values():
                server.wait_ready()
            log(f"servers up: app {servers['ours'].base}, baseline {servers['baseline'].base}")
            proxy = front_door(servers["ours"], logs, options.notes)
            if proxy is not None:
                servers["front_door"] = proxy
        for name in SCENARIOS if not options.skip_http else ():
            if name not in options.only:
                continue
            if not needs[name]:
                results["http"][name] = {"available": False, "reason": "URL not in the URL map"}
                log(f"{name}: not available (URL not in the URL map)")
                continue
            targets, notes = prepare_http_targets(
                name, servers, counts, summary["alerts_max_id"], logs
            )
            options.notes.extend(notes)
            for note in notes:
                log("  note: " + note)
            if "ours" not in targets:
                results["http"][name] = {"available": False, "reason": notes[0] if notes else "?"}
                continue
            log(f"{name}: measuring {', '.join(targets)}")
            results["http"][name] = {
                "available": True,
                "url": targets["ours"].url.split(str(servers["ours"].port), 1)[1],
                "points": measure_http(name, targets, servers, options, logs / "wrk.log"),
            }
        if not options.skip_csv:
            if probe["commitment_list"]:
                log("csv: exporting every commitment")
                expected = summary["api"]["commitments"]
                results["csv"] = measure_csv(servers["ours"], options, expected)
                if "experiment" in servers:
                    log(f"csv: the same with {','.join(options.experiments)}")
                    results["csv_experiment"] = measure_csv(
                        servers["experiment"], options, expected
                    )
            else:
                results["csv"] = {"available": False, "reason": "URL not in the URL map"}
    finally:
        for server in servers.values():
            server.stop()

    if not options.skip_replicas:
        results["replicas"] = measure_token_reads_with_replica(
            options, api_env, api_db, counts, logs
        )
    if not options.skip_metrics:
        results["metrics_overhead"] = measure_metrics_overhead(options, api_env, logs)

    if options.skip_scan:
        results["scan"] = {"available": False, "reason": "skipped (--skip-scan)"}
    elif not probe["scan"]:
        results["scan"] = {"available": False, "reason": "tracker.services.deadlines_scan missing"}
        log("scan: not available (tracker.services.deadlines_scan does not import)")
    else:
        log(f"scan: {options.scan_repeats} rounds over {scan_db}")
        results["scan"] = measure_scan(
            options, scan_env, probe.get("alert_table"), logs, probe.get("stale")
        )

    if not options.skip_webhooks:
        log(f"webhooks: fan-out of {options.webhook_alerts:,} alerts")
        results["webhooks"] = measure_webhooks(options, scan_env, logs)

    results["targets"] = evaluate_targets(results, options)
    results["meta"]["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    results["meta"]["finished_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    results["meta"]["wall_seconds"] = time.perf_counter() - wall
    (options.out / "results.json").write_text(json.dumps(results, indent=2, default=str))
    text = report.markdown(results)
    if "webhooks" in results:
        text += "\n" + webhooks.markdown(results["webhooks"])
    (options.out / "results.md").write_text(text)
    plotted = report.plot(results, options.out / "throughput.png")
    print()
    print(text)
    log(f"wrote {options.out / 'results.md'}" + (f" and {plotted}" if plotted else ""))
    log(f"wall time {results['meta']['wall_seconds']:.0f}s")
    return 0
