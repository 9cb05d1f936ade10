"""The front door outside Docker: the committed nginx template rendered and run by the
distribution's nginx, in front of a gunicorn on loopback. The tests and the bench use it, so
they exercise the same file that docker-compose.yml's `proxy` service runs.

The official nginx image renders templates with envsubst and includes the result inside
`http {}`; `render` does the same substitution (only `${NAME}`), and `NginxServer` writes the
few lines of nginx.conf around it that the image would provide.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx" / "default.conf.template"
VARIABLE = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")
STARTUP_SECONDS = 30


def template_variables() -> set[str]:
    return set(VARIABLE.findall(TEMPLATE.read_text()))


def render(values: dict[str, object]) -> str:
    """The template with every `${NAME}` replaced; a name without a value is an error (the
    image's envsubst would leave it in and nginx would refuse the file)."""
    missing = template_variables() - values.keys()
    if missing:
        raise KeyError(f"the nginx template needs values for {sorted(missing)}")
    return VARIABLE.sub(lambda match: str(values[match.group(1)]), TEMPLATE.read_text())


def language_values() -> dict[str, str]:
    """The template's language variables, from the app's settings (docker-compose.yml
    writes the same values; a test holds them to these)."""
    from config.languages import LANGUAGE_CODE, LANGUAGES

    return {
        "TRACKER_LANGUAGES": "|".join(code for code, _name in LANGUAGES),
        "TRACKER_DEFAULT_LANGUAGE": LANGUAGE_CODE,
    }


def nginx_executable() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if not found:
        raise FileNotFoundError("nginx is not installed (Debian: apt-get install nginx-light)")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class NginxServer:
    """nginx with the rendered template, in `directory`, on a free loopback port, as a child
    process of ours (never the system service)."""

    def __init__(self, *, upstream: str, body_limit: int, directory: Path):
        self.directory = directory
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.access_log = directory / "access.log"
        self.error_log = directory / "error.log"
        self._values = {
            "NGINX_LISTEN": f"127.0.0.1:{self.port}",
            "TRACKER_UPSTREAM": upstream,
            "NGINX_STATE_DIR": directory / "state",
            "DATA_UPLOAD_MAX_MEMORY_SIZE": body_limit,
            **language_values(),
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> NginxServer:
        (self.directory / "state").mkdir(parents=True, exist_ok=True)
        (self.directory / "default.conf").write_text(render(self._values))
        # As root, nginx would run its workers as `nobody`, who cannot enter a private
        # temporary directory.
        user = "user root root;\n" if os.geteuid() == 0 else ""
        (self.directory / "nginx.conf").write_text(
            f"{user}worker_processes 1;\n"
            "events { worker_connections 512; }\n"
            "http {\n"
            "    log_format cache '$remote_addr \"$request\" $status $upstream_cache_status';\n"
            f"    access_log {self.access_log} cache;\n"
            f"    include {self.directory / 'default.conf'};\n"
            "}\n"
        )
        with self.error_log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    nginx_executable(),
                    *("-p", str(self.directory), "-c", str(self.directory / "nginx.conf")),
                    *("-e", str(self.error_log)),
                    *("-g", f"daemon off; pid {self.directory / 'nginx.pid'};"),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while not self._listening():
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited:\n{self.error_log.read_text()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"nginx not listening after {STARTUP_SECONDS}s")
            time.sleep(0.05)
        return self

    def _listening(self) -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)  # nginx: fast shutdown
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None
