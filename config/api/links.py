"""Links in API answers: where the API lives, Location on a 201, and the canonical URL of a
record read by alias."""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response

from common.links import url_for

API_PREFIX = "/api/"


def is_api_path(request) -> bool:
    return request.path.startswith(API_PREFIX)


def created(data, *, url_name: str, headers: dict[str, str] | None = None, **kwargs) -> Response:
    """A 201 whose Location is the absolute URL of the route `url_name` with `kwargs`: the
    new record's own URL, or, for a record with none (a status change, a citation), the
    commitment it was added to."""
    location = {"Location": url_for(url_name, **kwargs)}
    return Response(data, status=status.HTTP_201_CREATED, headers={**(headers or {}), **location})
