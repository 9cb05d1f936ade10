"""One webhook request: POST to the address that was checked, briefly, without following
redirects, reading a little of the answer.

urllib3 connects to the checked address while sending the target's name in the Host header
and verifying its TLS certificate against that name, so the request goes where the check
looked (webhooks/targets.py) whatever a second DNS lookup would say.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import urllib3
from django.conf import settings

from webhooks.targets import DEFAULT_PORTS, Target

# How much of a receiver's answer is read and kept in the log: enough for an error message.
RESPONSE_READ_BYTES = 4096
RESPONSE_EXCERPT_CHARS = 1000


@dataclass(frozen=True)
class Answer:
    status: int
    excerpt: str
    latency_ms: int


class NoAnswer(Exception):
    """No HTTP answer: refused, reset, timed out, a TLS failure. The message says which."""

    def __init__(self, message: str, *, latency_ms: int):
        super().__init__(message)
        self.latency_ms = latency_ms


def pool_for(target: Target, address: str, *, connect: float, read: float):
    """A one-connection pool to `address` that speaks to the target by its name (Host, TLS
    name and certificate check): the request goes to the address that was checked."""
    timeout = urllib3.Timeout(connect=connect, read=read)
    common = {"port": target.port, "timeout": timeout, "retries": False, "maxsize": 1}
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            **common,
        )
    return urllib3.HTTPConnectionPool(address, **common)


def excerpt_of(raw: bytes) -> str:
    # PostgreSQL text cannot hold NUL.
    text = raw.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    return text[:RESPONSE_EXCERPT_CHARS]


def post(target: Target, *, body: bytes, headers: dict[str, str]) -> Answer:
    """POST `body` to the target's first address; NoAnswer if no HTTP answer came."""
    address = target.addresses[0]
    host_header = target.host
    if target.port != DEFAULT_PORTS[target.scheme]:
        host_header = f"{target.host}:{target.port}"
    all_headers = {
        **headers,
        "Host": host_header,
        "Content-Type": "application/json",
        "User-Agent": "commitment-tracker-webhooks/1",
    }
    started = time.monotonic()
    pool = pool_for(
        target,
        address,
        connect=settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS,
        read=settings.WEBHOOK_READ_TIMEOUT_SECONDS,
    )
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers=all_headers,
            redirect=False,  # a 3xx is an answer, and not a success
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            raw = _read_some(response, started=started)
        finally:
            response.close()  # not drained: the rest of a large body is never read
        return Answer(
            status=response.status,
            excerpt=excerpt_of(raw),
            latency_ms=round((time.monotonic() - started) * 1000),
        )
    except urllib3.exceptions.HTTPError as error:
        raise NoAnswer(
            _describe(error), latency_ms=round((time.monotonic() - started) * 1000)
        ) from None
    finally:
        pool.close()


def _read_some(response, *, started: float) -> bytes:
    """Up to RESPONSE_READ_BYTES of the body, for no longer than the read timeout again: the
    timeout bounds each socket read, and a receiver dripping a byte at a time would
    otherwise hold the worker for thousands of them."""
    deadline = started + settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS
    deadline += 2 * settings.WEBHOOK_READ_TIMEOUT_SECONDS
    raw = b""
    while len(raw) < RESPONSE_READ_BYTES and time.monotonic() < deadline:
        chunk = response.read1(RESPONSE_READ_BYTES - len(raw))
        if not chunk:
            break
        raw += chunk
    return raw


def _describe(error: Exception) -> str:
    if isinstance(error, urllib3.exceptions.ConnectTimeoutError):
        return f"no connection within {settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS:g} s"
    if isinstance(error, urllib3.exceptions.ReadTimeoutError):
        return f"no answer within {settings.WEBHOOK_READ_TIMEOUT_SECONDS:g} s"
    reason = getattr(error, "reason", None) or error
    return f"{type(reason).__name__}: {reason}"[:500]
