"""Conditional requests: ETag on representations, If-None-Match (304), If-Match (412).

ETags here are strong: they change whenever the representation changes. If-Match uses the
strong comparison of RFC 9110 (a weak tag never matches); If-None-Match the weak one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from django.db.models import Model
from django.utils import translation
from django.utils.http import ETAG_MATCH, parse_etags
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from config.api.exceptions import PreconditionFailed


def etag_for(*parts: object) -> str:
    """A strong, quoted ETag from the parts that decide a representation (e.g. a version)
    and the language it is in (config.api.languages): each language is a representation."""
    parts = (*parts, translation.get_language())
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return f'"{digest[:32]}"'


def _opaque(tag: str) -> str:
    return tag[2:] if tag.startswith("W/") else tag


def if_none_match_hits(request, etag: str) -> bool:
    """Does the request's If-None-Match name this representation (so a 304 will do)?"""
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    tags = parse_etags(header)
    return "*" in tags or any(_opaque(tag) == _opaque(etag) for tag in tags)


def not_modified(etag: str, **headers: str) -> Response:
    return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag, **headers})


def if_match_refuse_malformed(request) -> None:
    """400 for an If-Match that names no ETag (empty, or not `*` nor a list of quoted tags).
    Checked before the body: else the 412 of a header that can never match hides what is wrong
    with the rest of the request."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return
    if not all(ETAG_MATCH.fullmatch(item.strip()) for item in header.split(",")):
        raise ValidationError(
            {
                "If-Match": [
                    "If-Match must be `*` or the ETags (quoted, comma-separated) the change "
                    "is based on, as the ETag header sent them."
                ]
            },
            code="invalid_header",
        )


def require_if_match(request, etag: str, *, also: Callable[[], Iterable[str]] = tuple) -> None:
    """Raise 412 when the request has an If-Match that does not name the current ETag, nor
    one of `also`: the ETags of the same state in the other representations (each language,
    staff's and others'), asked for only when the first does not match.

    Without If-Match the write goes ahead (the services still refuse a stale version passed
    to them explicitly).
    """
    header = request.headers.get("If-Match")
    if header is None:
        return
    tags = parse_etags(header)
    if "*" in tags or etag in tags:
        return
    # Read in Russian, or anonymously, and written with a token: the same state.
    if set(tags) & set(also()):
        return
    raise PreconditionFailed(
        f"If-Match does not name the current representation (its ETag is {etag}): it was "
        "changed since you fetched it. Fetch it again and reapply your change.",
        code="precondition_failed",
    )


def locked_for_write(
    view,
    *,
    etag: Callable[[Model], str],
    for_delete: bool = False,
    representations: Callable[[Model], Iterable[str]] | None = None,
) -> Model:
    """The view's object, its row locked until the transaction ends, once If-Match names its
    current ETag, or that of another of its `representations` (412 otherwise). Every write
    that honours If-Match starts here: the check is made under the lock, so two clients
    holding the same ETag cannot both write."""
    lookup = view.lookup_url_kwarg or view.lookup_field
    # NO KEY UPDATE, as the services lock: rows that merely reference this one (an alert, a
    # citation) are not blocked. A delete needs the full lock.
    queryset = view.get_queryset().select_for_update(no_key=not for_delete)
    obj = get_object_or_404(queryset, **{view.lookup_field: view.kwargs[lookup]})
    view.check_object_permissions(view.request, obj)
    also = (lambda: representations(obj)) if representations else tuple
    require_if_match(view.request, etag(obj), also=also)
    return obj
