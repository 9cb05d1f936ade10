"""Which webhook targets may be called: the scheme, and never an address inside.

Checked when a subscription is saved and again before every request, on the addresses the
name resolves to at that moment: a name that resolved outside when it was saved and resolves
to 127.0.0.1 later is refused at delivery. The request then connects to the address that was
checked (webhooks/http.py), so a second lookup cannot swap it for another.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

DEFAULT_PORTS = {"http": 80, "https": 443}
NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052's well-known prefix
# RFC 4291's deprecated "IPv4-compatible" addresses (::127.0.0.1): routed by nobody now, yet a
# stack that still reads them delivers to the IPv4 address inside, so the whole block is out.
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class TargetRefused(Exception):
    """The target may not be called; the message says why, for the owner to read."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as sent in the Host header and for TLS (IDNA-encoded)
    port: int
    path: str  # path and query
    addresses: tuple[str, ...]  # what `host` resolved to, each allowed


def address_is_internal(address: str) -> bool:
    """Private, loopback, link-local (169.254.169.254, the cloud metadata service, among
    them), shared, reserved, multicast or unspecified: anything that is not the public
    internet. An IPv4 address carried in IPv6 (mapped ::ffff:127.0.0.1, NAT64 64:ff9b::7f00:1,
    6to4 2002:7f00:1::) counts as itself: a translator would deliver to it. The deprecated
    IPv4-compatible form (::127.0.0.1, ::8.8.8.8: all of ::/96) is refused whatever it holds."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone (fe80::1%eth0)
    if ip.version == 6:
        if ip in IPV4_COMPATIBLE:
            return True
        carried = ip.ipv4_mapped or ip.sixtofour
        if carried is None and ip in NAT64_PREFIX:
            carried = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        ip = carried or ip
    # is_global alone lets through the blocks the IETF keeps in reserve (4000::/3 and others).
    return not ip.is_global or ip.is_multicast or ip.is_reserved


def _webhook_schemes() -> tuple[str, ...]:
    return ("https",) if settings.WEBHOOK_REQUIRE_HTTPS else ("https", "http")


def _webhook_internal_allowed(address: str) -> bool:
    return settings.WEBHOOK_ALLOW_PRIVATE_TARGETS


def target_parse(url: str, *, schemes: tuple[str, ...] | None = None) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of a target URL, or TargetRefused saying what is wrong.
    `schemes` are those allowed (the webhooks' by default)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise TargetRefused(f"Not a URL this service can call: {error}.") from None
    allowed = schemes or _webhook_schemes()
    if parts.scheme not in allowed:
        raise TargetRefused(f"The URL must start with {' or '.join(f'{s}://' for s in allowed)}.")
    if not parts.hostname:
        raise TargetRefused("The URL has no host.")
    if port == 0:
        raise TargetRefused("Port 0 is not a port anything listens on.")
    if parts.username or parts.password:
        raise TargetRefused("The URL may not carry a user name or password.")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise TargetRefused("The URL's host is not a valid name.") from None
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, host, port or DEFAULT_PORTS[parts.scheme], path


class NameNotResolved(TargetRefused):
    """The host's name does not resolve (now): for the archive, a sign of a dead link."""


def target_resolve(
    url: str,
    *,
    schemes: tuple[str, ...] | None = None,
    internal_allowed: Callable[[str], bool] | None = None,
    only_for: str = "webhooks are only delivered to public addresses",
) -> Target:
    """The target with the addresses its host resolves to now, each checked; TargetRefused
    if the URL is not allowed, the name does not resolve, or any address is internal.

    The webhooks' rules by default; the archive (archive/fetch.py) passes its own `schemes`,
    its own `internal_allowed(address)` exception and the end of the refusal (`only_for`)."""
    scheme, host, port, path = target_parse(url, schemes=schemes)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise NameNotResolved(f"The host {host} could not be resolved ({error}).") from None
    addresses = tuple(dict.fromkeys(info[4][0] for info in found))
    allowed = internal_allowed or _webhook_internal_allowed
    internal = [a for a in addresses if address_is_internal(a) and not allowed(a)]
    if internal:
        # All or nothing: a name with one public and one inside address is refused, or an
        # attacker's DNS could hand out the inside one at delivery.
        raise TargetRefused(
            f"{host} resolves to {', '.join(internal)}, an address inside a private "
            f"network (private, loopback, link-local, metadata or reserved): {only_for}."
        )
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=addresses)


def target_validate(url: str) -> None:
    """For a subscription being saved: a ValidationError on `url` if it may not be called.
    With private targets allowed there is no address to refuse, so the name is not looked
    up (one that does not resolve fails at delivery, in the log)."""
    try:
        if settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
            target_parse(url)
        else:
            target_resolve(url)
    except TargetRefused as refused:
        raise ValidationError({"url": [str(refused)]}, code="webhook_target_refused") from None
