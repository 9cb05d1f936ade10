"""Load from wrk (Debian's package): one run, its output parsed into numbers.

wrk keeps `connections` requests in flight for `duration` seconds and prints, with
--latency, the latency distribution (50/75/90/99%), the request count, socket errors and the
count of answers that were not 2xx or 3xx. Errors here are both: a refused or timed-out
connection and a 429/500 are the same failure to a client.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

WRK = "wrk"
# Latency is counted up to this; a slower answer is a timeout (an error). Generous, so that a
# queue at 64 connections shows as latency rather than as errors.
TIMEOUT = "10s"


@dataclass(frozen=True)
class WrkResult:
    requests_per_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    requests: int
    seconds: float
    socket_errors: int
    non_2xx_3xx: int

    @property
    def errors(self) -> int:
        return self.socket_errors + self.non_2xx_3xx

    def as_dict(self) -> dict:
        return asdict(self) | {"errors": self.errors}


def wrk_ensure() -> str:
    """wrk's path; installs Debian's package when missing and we are root."""
    found = shutil.which(WRK)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("bench: wrk is missing; installing Debian's package (apt-get install wrk)")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        found = shutil.which(WRK)
    if not found:
        raise SystemExit("bench: wrk is needed: apt-get install wrk (Debian/Ubuntu)")
    return found


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match[1]) * _UNITS_MS[match[2]]


def parse_wrk(output: str) -> WrkResult:
    def percentile(p: int) -> float:
        match = re.search(rf"^\s+{p}%\s+(\S+)", output, re.MULTILINE)
        return _ms(match[1]) if match else float("nan")

    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not total or not rate:
        raise ValueError(f"wrk output not understood:\n{output}")
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return WrkResult(
        requests_per_s=float(rate[1]),
        p50_ms=percentile(50),
        p90_ms=percentile(90),
        p99_ms=percentile(99),
        requests=int(total[1]),
        seconds=_ms(total[2] + total[3]) / 1000,
        socket_errors=sum(int(n) for n in socket.groups()) if socket else 0,
        non_2xx_3xx=int(non_2xx[1]) if non_2xx else 0,
    )


def lua_script(path: Path, *, headers: dict[str, str] | None = None, paths: str = "") -> Path:
    """A wrk script: fixed request headers (If-None-Match for the 304 polls), and optionally
    a random path per request (`paths` is a Lua expression of math.random, e.g. a detail id).
    """
    lines = [
        f"wrk.headers[{_lua(name)}] = {_lua(value)}" for name, value in (headers or {}).items()
    ]
    if paths:
        lines += [
            "request = function()",
            f"  return wrk.format(nil, {paths})",
            "end",
        ]
    path.write_text("\n".join(lines) + "\n")
    return path


def _lua(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrk_run(
    url: str,
    *,
    connections: int,
    seconds: float,
    script: Path | None = None,
    log: Path | None = None,
) -> WrkResult:
    # One wrk thread per connection up to two: the machine has two cores, shared with the
    # servers and PostgreSQL.
    threads = max(1, min(2, connections))
    command = [
        WRK,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        f"--timeout={TIMEOUT}",
        "--latency",
    ]
    if script is not None:
        command += ["-s", str(script)]
    command.append(url)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if log is not None:
        with log.open("a") as out:
            out.write(f"$ {' '.join(command)}\n{done.stdout}{done.stderr}\n")
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()}")
    return parse_wrk(done.stdout)
