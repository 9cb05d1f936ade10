"""Who is asking, by address: the one definition every limit and check uses.

`client_ip` is read by the API's throttles (`config.api.throttling`), the failed-token limit
(`config.api.authentication`), django-axes' admin login lockout (AXES_CLIENT_IP_CALLABLE) and
`/health/`'s choice of how much to say. Were they to read the address each their own way, a
forged header could pass one limit while another counts it.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address.

    API_NUM_PROXIES empty or 0 (clients connect directly): the connection's address,
    REMOTE_ADDR; X-Forwarded-For is the client's own text and is ignored. N (N proxies in
    front, each appending the address it was connected from): the Nth address from the right
    of X-Forwarded-For, the one the outermost proxy saw — anything left of it the client may
    have made up. With fewer addresses than that, REMOTE_ADDR.
    """
    remote_addr = request.META.get("REMOTE_ADDR")
    proxies = settings.API_NUM_PROXIES
    if not proxies:
        return remote_addr
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
    if len(addresses) < proxies:
        return remote_addr
    return addresses[-proxies]


def is_internal(address: str | None, *, networks: list[str] | None = None) -> bool:
    """Loopback, or inside one of `networks` (CIDR blocks, e.g. the load balancer's subnet;
    HEALTH_INTERNAL_NETWORKS unless given)."""
    try:
        ip = ipaddress.ip_address((address or "").split("%", 1)[0])
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return True
    # An address of the other IP version is simply not in a network: no error.
    return any(
        ip in ipaddress.ip_network(network, strict=False)
        for network in (settings.HEALTH_INTERNAL_NETWORKS if networks is None else networks)
    )
