"""Every error of the API as RFC 9457 problem details, in one shape.

    {"type": "about:blank", "title": "Bad Request", "status": 400,
     "detail": "status: Select a valid choice. …", "instance": "/api/v1/commitments/",
     "code": "invalid",
     "errors": [{"field": "status", "message": "Select a valid choice. …",
                 "code": "invalid_choice"}]}

`errors` lists each wrong field (a query parameter, a body field as a dotted path such as
`parties.0.role`, or a header) with the reason; `field` is null for a problem with the request
as a whole. `code` is a stable, machine-readable name of the problem.

Domain refusals arrive here as they are raised by the services: Django's ValidationError keyed
by field (400), VersionConflict (412), ProtectedError / RestrictedError (409); a body over
DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 (config/middleware.py refuses most before any view). A
response is always rendered as `application/problem+json`, whatever format the request asked
for (a CSV or iCalendar error would be unreadable), except in the browsable API.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from common.services import VersionConflict
from config.api.renderers import ProblemJSONRenderer

logger = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource changed since you fetched it: fetch it again and retry."
    default_code = "precondition_failed"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self, detail=None, code=None):
        if detail is None:
            detail = payload_too_large_detail()
        super().__init__(detail, code)


def payload_too_large_detail() -> str:
    return (
        f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes, the "
        "most this service accepts."
    )


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


def _field_name(path: list) -> str | None:
    # "non_field_errors" is the object itself: `parties.non_field_errors` (a list was expected)
    # is about `parties`, and at the top it is about the body as a whole (null).
    path = [
        part for part in path if part not in (api_settings.NON_FIELD_ERRORS_KEY, NON_FIELD_ERRORS)
    ]
    if not path:
        return None
    return ".".join(str(part) for part in path)


def _flatten(detail: Any, path: list) -> Iterator[tuple[str | None, str, str]]:
    """(field, message, code) for each leaf of a DRF error detail, fields as dotted paths."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            yield from _flatten(value, [*path, key])
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            if isinstance(item, dict | list):  # a nested serializer inside a list
                yield from _flatten(item, [*path, index])
            else:
                yield from _flatten(item, path)
    else:
        yield _field_name(path), str(detail), getattr(detail, "code", None) or "invalid"


def _from_django_validation_error(error: DjangoValidationError) -> exceptions.ValidationError:
    """Django's ValidationError (raised by the services) as DRF's, keeping fields and codes."""
    if hasattr(error, "error_dict"):
        detail = {
            field: [
                exceptions.ErrorDetail(message, code=item.code or "invalid")
                for item in items
                for message in item.messages
            ]
            for field, items in error.error_dict.items()
        }
    else:
        detail = {
            api_settings.NON_FIELD_ERRORS_KEY: [
                exceptions.ErrorDetail(message, code=item.code or "invalid")
                for item in error.error_list
                for message in item.messages
            ]
        }
    return exceptions.ValidationError(detail)


def _translate(exc: Exception) -> exceptions.APIException | None:
    if isinstance(exc, exceptions.APIException):
        return exc
    if isinstance(exc, DjangoValidationError):
        return _from_django_validation_error(exc)
    if isinstance(exc, VersionConflict):
        error = PreconditionFailed(str(exc), code="version_conflict")
        error.current_version = exc.current
        return error
    if isinstance(exc, ProtectedError | RestrictedError):
        count = len(getattr(exc, "protected_objects", None) or exc.restricted_objects)
        return Conflict(
            f"This cannot be deleted: {count} other record(s) depend on it.", code="protected"
        )
    if isinstance(exc, IntegrityError):
        # The services validate first; this is a race (two requests taking the same unique
        # value at once). The request changed nothing: the transaction was rolled back.
        logger.warning("integrity error answered as 409: %s", exc)
        return Conflict(
            "The change conflicts with a change made at the same time (e.g. a unique value was "
            "just taken). Nothing was saved; fetch the current data and retry.",
            code="conflict",
        )
    if isinstance(exc, RequestDataTooBig):  # a body without Content-Length, read too far
        return PayloadTooLarge()
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    return None


def problem_body(
    *,
    status_code: int,
    detail: str,
    code: str,
    instance: str | None = None,
    errors: list[dict] | None = None,
    **extensions: Any,
) -> dict:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": detail,
        "code": code,
    }
    if instance:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = errors
    body.update(extensions)
    return body


def _use_problem_renderer(request) -> None:
    if request is None:
        return
    if isinstance(getattr(request, "accepted_renderer", None), BrowsableAPIRenderer):
        return
    request.accepted_renderer = ProblemJSONRenderer()
    request.accepted_media_type = PROBLEM_MEDIA_TYPE


def problem_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's EXCEPTION_HANDLER: problem details for every 4xx; None (a 500) for the rest."""
    api_exc = _translate(exc)
    if api_exc is None:
        return None
    request = context.get("request")
    headers: dict[str, str] = {}
    if getattr(api_exc, "auth_header", None):
        headers["WWW-Authenticate"] = api_exc.auth_header
    if getattr(api_exc, "wait", None) is not None:
        headers["Retry-After"] = str(max(1, math.ceil(api_exc.wait)))

    extensions: dict[str, Any] = {}
    if isinstance(api_exc, exceptions.ValidationError):
        errors = [
            {"field": field, "message": message, "code": code}
            for field, message, code in _flatten(api_exc.detail, [])
        ]
        detail = "; ".join(
            f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors
        )
        code = "invalid"
    else:
        errors = None
        detail = str(api_exc.detail)
        code = getattr(api_exc.detail, "code", None) or api_exc.default_code
        if hasattr(api_exc, "current_version"):
            extensions["current_version"] = api_exc.current_version
    set_rollback()
    _use_problem_renderer(request)
    body = problem_body(
        status_code=api_exc.status_code,
        detail=detail,
        code=code,
        instance=request.path if request is not None else None,
        errors=errors,
        **extensions,
    )
    return Response(body, status=api_exc.status_code, headers=headers)
