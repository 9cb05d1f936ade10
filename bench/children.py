"""The bench's child processes and its one way of saying what it does: every part of the
bench (bench.run, bench.webhooks) starts Django children and migrates through these."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    print(f"bench: {message}", flush=True)


def run_child(env: dict, *args: str, logfile: Path, module: str = "bench.django_child") -> dict:
    """`python -m MODULE ARGS` (a child with Django set up) → its JSON answer."""
    with logfile.open("a") as err:
        done = subprocess.run(
            [sys.executable, "-m", module, *args],
            env=env,
            cwd=BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed; see {logfile}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def migrate(env: dict, logfile: Path) -> None:
    with logfile.open("a") as out:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            env=env,
            cwd=BASE_DIR,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
        )
