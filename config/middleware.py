"""Middleware of our own.

`RequestBodyLimitMiddleware` refuses a request whose Content-Length exceeds
DATA_UPLOAD_MAX_MEMORY_SIZE with a 413, before anything reads or parses the body. Django
applies that limit only when it reads a body itself (forms, `request.body`); DRF's parsers read
the stream directly, so without this a 10 MB JSON body would be read and parsed in full. A body
Django finds too large while reading (no Content-Length) ends as a 413 too: see
`config.api.handlers.bad_request` (handler400) and `config.api.exceptions`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig

from config.api.handlers import payload_too_large


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and self._declared_length(request) > limit:
            # No "Connection: close" here: WSGI forbids hop-by-hop headers (runserver asserts
            # on them), and gunicorn's sync workers close the connection after every request.
            return payload_too_large(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        # A view that read a body too large (not one DRF turned into a response itself).
        if isinstance(exception, RequestDataTooBig):
            return payload_too_large(request)
        return None

    @staticmethod
    def _declared_length(request) -> int:
        try:
            return int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return 0  # as Django reads it: an unreadable length is no body
