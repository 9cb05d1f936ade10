"""Absolute links to this service's own records, in bodies, headers and webhooks alike."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def public_origin() -> str:
    """The service's public address (TRACKER_PUBLIC_URL), without a trailing slash."""
    return settings.TRACKER_PUBLIC_URL.rstrip("/")


def absolute_url(path: str) -> str:
    """`path` on the public address: the same link whichever host name a request came in by,
    so a body (and its ETag) does not vary with the Host header, and a worker with no request
    writes the same links."""
    return public_origin() + path


def url_for(url_name: str, **kwargs) -> str:
    return absolute_url(reverse(url_name, kwargs=kwargs))
