"""One GET of a cited page, by the webhooks' rules for where a request may go.

Every address the name resolves to is checked (webhooks/targets.py) and the request goes to
the checked address (webhooks/http.py); each redirect is a new URL, checked again before it
is followed. The body is read up to ARCHIVE_MAX_BYTES and within ARCHIVE_FETCH_DEADLINE_SECONDS
overall: a page that drips bytes cannot hold a worker longer than that.
"""

from __future__ import annotations

import ipaddress
import time
import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin

import urllib3
from django.conf import settings

from archive.choices import FailureReason
from webhooks.http import pool_for
from webhooks.targets import DEFAULT_PORTS, NameNotResolved, TargetRefused, target_resolve

SCHEMES = ("https", "http")
READ_CHUNK = 64 * 1024
ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.9,application/pdf;q=0.9,*/*;q=0.5"
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
# Hop-by-hop framing urllib3 has already undone: the WARC keeps the body as delivered to us.
FRAMING_HEADERS = {"transfer-encoding", "connection", "keep-alive"}


class FetchFailed(Exception):
    """No page: the message says why, for staff. `transient` when trying again may help
    (no answer, a timeout, 429 or 5xx); `gone` when it counts towards a dead link."""

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        transient: bool,
        gone: bool,
        status: int | None = None,
        url="",
    ):
        super().__init__(message)
        self.reason = reason
        self.transient = transient
        self.gone = gone
        self.status = status
        self.url = url


@dataclass(frozen=True)
class Fetched:
    requested_url: str
    final_url: str
    address: str
    status: int
    reason: str
    # As received, in order, without the framing headers.
    headers: list[tuple[str, str]]
    # As the server sent it (after any Content-Encoding is undone for `body`).
    raw_body: bytes
    body: bytes
    request_headers: list[tuple[str, str]] = field(default_factory=list)

    def header(self, name: str) -> str:
        name = name.lower()
        return next((value for key, value in self.headers if key.lower() == name), "")


def _internal_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return any(
        ip in ipaddress.ip_network(network, strict=False)
        for network in settings.ARCHIVE_ALLOWED_INTERNAL_NETWORKS
    )


def archive_target(url: str):
    """The checked target, or TargetRefused (NameNotResolved for a name that does not
    resolve)."""
    return target_resolve(
        url,
        schemes=SCHEMES,
        internal_allowed=_internal_allowed,
        only_for="the archive only fetches pages from public addresses",
    )


def _request_headers(target, conditional: dict[str, str]) -> dict[str, str]:
    host = target.host
    if target.port != DEFAULT_PORTS[target.scheme]:
        host = f"{target.host}:{target.port}"
    return {
        "Host": host,
        "User-Agent": settings.ARCHIVE_USER_AGENT,
        "Accept": ACCEPT,
        "Accept-Encoding": "gzip, deflate",
        **conditional,
    }


def _read_capped(response, *, deadline: float, url: str) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > settings.ARCHIVE_MAX_BYTES:
        raise _too_large(url, response.status)
    raw = bytearray()
    while True:
        if time.monotonic() > deadline:
            raise FetchFailed(
                "The page did not arrive whole within "
                f"{settings.ARCHIVE_FETCH_DEADLINE_SECONDS:g} s.",
                reason=FailureReason.TOO_SLOW,
                transient=True,
                gone=False,
                status=response.status,
                url=url,
            )
        chunk = response.read1(READ_CHUNK, decode_content=False)
        if not chunk:
            return bytes(raw)
        raw += chunk
        if len(raw) > settings.ARCHIVE_MAX_BYTES:
            raise _too_large(url, response.status)


def _too_large(url: str, status: int) -> FetchFailed:
    return FetchFailed(
        f"The page is larger than {settings.ARCHIVE_MAX_BYTES} bytes (ARCHIVE_MAX_BYTES): "
        "not archived.",
        reason=FailureReason.TOO_LARGE,
        transient=False,
        gone=False,
        status=status,
        url=url,
    )


def _decoded(raw: bytes, encoding: str, *, url: str, status: int) -> bytes:
    """The body with gzip or deflate undone, no larger than the cap however it was packed."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise FetchFailed(
            f"The page came in an encoding the archive does not read ({encoding}).",
            reason=FailureReason.UNREADABLE,
            transient=False,
            gone=False,
            status=status,
            url=url,
        )
    wbits = 16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS
    try:
        decompressor = zlib.decompressobj(wbits)
        body = decompressor.decompress(raw, settings.ARCHIVE_MAX_BYTES + 1)
    except zlib.error as error:
        raise FetchFailed(
            f"The page's {encoding} body is damaged ({error}).",
            reason=FailureReason.UNREADABLE,
            transient=True,
            gone=False,
            status=status,
            url=url,
        ) from None
    if len(body) > settings.ARCHIVE_MAX_BYTES:
        raise _too_large(url, status)
    return body


def _no_answer(error: Exception, *, url: str) -> FetchFailed:
    if isinstance(error, urllib3.exceptions.ConnectTimeoutError):
        why = f"no connection within {settings.ARCHIVE_CONNECT_TIMEOUT_SECONDS:g} s"
    elif isinstance(error, urllib3.exceptions.ReadTimeoutError):
        why = f"no answer within {settings.ARCHIVE_READ_TIMEOUT_SECONDS:g} s"
    else:
        reason = getattr(error, "reason", None) or error
        why = f"{type(reason).__name__}: {reason}"
    return FetchFailed(
        f"No answer from the page ({why}).",
        reason=FailureReason.NO_ANSWER,
        transient=True,
        gone=True,
        url=url,
    )


def page_fetch(url: str, *, conditional: dict[str, str] | None = None) -> Fetched:
    """GET `url`, following redirects that are allowed; FetchFailed saying why not.

    `conditional` holds If-None-Match / If-Modified-Since for a re-check; a 304 is returned
    as it is (no body). A 4xx or 5xx is a failure, a dead link's sign."""
    deadline = time.monotonic() + settings.ARCHIVE_FETCH_DEADLINE_SECONDS
    requested = current = url
    for _hop in range(settings.ARCHIVE_MAX_REDIRECTS + 1):
        try:
            target = archive_target(current)
        except NameNotResolved as error:
            raise FetchFailed(
                str(error), reason=FailureReason.UNRESOLVED, transient=True, gone=True, url=current
            ) from None
        except TargetRefused as refused:
            raise FetchFailed(
                str(refused), reason=FailureReason.REFUSED, transient=False, gone=False, url=current
            ) from None
        address = target.addresses[0]
        headers = _request_headers(target, conditional or {})
        pool = pool_for(
            target,
            address,
            connect=settings.ARCHIVE_CONNECT_TIMEOUT_SECONDS,
            read=settings.ARCHIVE_READ_TIMEOUT_SECONDS,
        )
        try:
            response = pool.urlopen(
                "GET",
                target.path,
                headers=headers,
                redirect=False,  # followed here, each hop checked
                retries=False,
                preload_content=False,
                decode_content=False,
                assert_same_host=False,
            )
            try:
                location = response.headers.get("Location")
                if response.status in REDIRECT_STATUSES and location:
                    current = urljoin(current, location)
                    continue
                raw = (
                    b""
                    if response.status == 304
                    else _read_capped(response, deadline=deadline, url=current)
                )
            finally:
                response.release_conn()
                response.close()
        except urllib3.exceptions.HTTPError as error:
            raise _no_answer(error, url=current) from None
        finally:
            pool.close()
        status = response.status
        if 300 <= status < 400 and status != 304:
            raise FetchFailed(
                f"The page answered {status} with nowhere to go (no Location).",
                reason=FailureReason.REDIRECTS,
                transient=False,
                gone=True,
                status=status,
                url=current,
            )
        if status >= 400:
            raise FetchFailed(
                f"The page answered {status} {response.reason or ''}".rstrip() + ".",
                reason=FailureReason.ERROR_STATUS,
                transient=status == 429 or status >= 500,
                gone=True,
                status=status,
                url=current,
            )
        received = [
            (key, value)
            for key, value in response.headers.iteritems()
            if key.lower() not in FRAMING_HEADERS
        ]
        encoding = response.headers.get("Content-Encoding", "")
        return Fetched(
            requested_url=requested,
            final_url=current,
            address=address,
            status=status,
            reason=response.reason or "",
            headers=received,
            raw_body=raw,
            body=_decoded(raw, encoding, url=current, status=status) if raw else b"",
            request_headers=list(headers.items()),
        )
    raise FetchFailed(
        f"More than {settings.ARCHIVE_MAX_REDIRECTS} redirects: not followed further.",
        reason=FailureReason.REDIRECTS,
        transient=False,
        gone=True,
        url=current,
    )
