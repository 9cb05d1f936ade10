"""`make run`: the whole service on one machine, with nothing installed but Python.

Starts the embedded PostgreSQL and Redis (when DATABASE_URL / CELERY_BROKER_URL are unset),
migrates, loads the seed dataset, runs the deadline scan once, makes sure a local admin
exists, then runs the web server, a Celery worker and Celery beat side by side (honcho), and
stops all of it on Ctrl-C.
"""

from __future__ import annotations

import os
import subprocess
import sys

from honcho.manager import Manager

from config.embedded import BASE_DIR, DATA_DIR, start_embedded_services

# What runs, in order, before anything serves. The scan is run here rather than left to the
# worker: loading the seed enqueues one scan per commitment, and until the worker has drained
# them `?overdue=true` would list only some of the overdue seed commitments.
SETUP_COMMANDS: tuple[tuple[str, ...], ...] = (
    # Under an advisory lock (common/management/commands/migrate.py): a second `make run` on
    # the same database waits, then finds nothing to apply.
    ("migrate", "--noinput", "-v", "0"),
    ("load_seed_data",),
    ("scan_deadlines",),
    ("ensure_local_admin",),
)


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], env=env, cwd=BASE_DIR, check=True)


def main() -> int:
    host = os.environ.get("TRACKER_HOST", "127.0.0.1")
    port = os.environ.get("TRACKER_PORT", "8000")
    services = start_embedded_services()
    env = services.environ
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    env["PYTHONUNBUFFERED"] = "1"
    # Links in answers (Location, api_url) name the server this command starts.
    env.setdefault("TRACKER_PUBLIC_URL", f"http://{host}:{port}")
    for line in services.started:
        print(f"launcher: started {line}", flush=True)
    try:
        for command in SETUP_COMMANDS:
            _manage(env, *command)

        python = sys.executable
        manager = Manager()
        manager.add_process("web", f"{python} manage.py runserver {host}:{port}", env=env)
        manager.add_process(
            "worker",
            f"{python} -m celery -A config.celery_app worker --loglevel INFO --concurrency 2",
            env=env,
        )
        manager.add_process(
            "beat",
            f"{python} -m celery -A config.celery_app beat --loglevel INFO "
            f"--schedule {DATA_DIR / 'celerybeat-schedule'}",
            env=env,
        )
        base = f"http://{host}:{port}"
        print(
            f"launcher: API  {base}/api/v1/   docs {base}/api/v1/docs/\n"
            f"launcher: admin {base}/admin/   health {base}/health/\n"
            "launcher: Ctrl-C stops everything.",
            flush=True,
        )
        manager.loop()
        return manager.returncode or 0
    except (KeyboardInterrupt, subprocess.CalledProcessError) as error:
        if isinstance(error, subprocess.CalledProcessError):
            print(f"launcher: {' '.join(error.cmd[1:])} failed (exit {error.returncode})")
            return error.returncode
        return 130
    finally:
        services.stop()
        print("launcher: stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
