"""Middleware of our own.

`RequestBodyLimitMiddleware` refuses a request whose Content-Length exceeds
DATA_UPLOAD_MAX_MEMORY_SIZE with a 413, before anything reads or parses the body. Django
applies that limit only when it reads a body itself (forms, `request.body`); DRF's parsers read
the stream directly, so without this a 10 MB JSON body would be read and parsed in full. A body
Django finds too large while reading (no Content-Length) ends as a 413 too: see
`config.api.handlers.bad_request` (handler400) and `config.api.exceptions`.

It also refuses a body sent chunked (`Transfer-Encoding`) with 411 Length Required. Gunicorn
hands such a body on with no CONTENT_LENGTH, which Django reads as no body at all: a 3 MB
upload would be parsed as empty (a 400, not a 413) and a small one silently lost. Refusing
costs legitimate clients nothing: they can send the length (nginx in front de-chunks and does
so itself), and a body of known length is the only kind the limit above can refuse unread.

`ApiCacheControlMiddleware` is the one place that says who may keep an API answer: an
anonymous read is the same for every anonymous reader (published records only), so shared
caches (the nginx front door, deploy/nginx/) may keep it for API_CACHE_SECONDS; an answer to a
token or a session may hold drafts or a user's own records, and is private.

`PageLocaleMiddleware` is Django's LocaleMiddleware for the public pages and the admin, not
for /api/ (which negotiates its own language) or /health/.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers

from config.api.handlers import payload_too_large, problem_json
from config.api.links import is_api_path

LENGTH_REQUIRED = (
    "Send the request body with a Content-Length header: chunked request bodies "
    "(Transfer-Encoding) are not accepted."
)


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "HTTP_TRANSFER_ENCODING" in request.META:
            return length_required(request)
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


def length_required(request) -> HttpResponse:
    if is_api_path(request):
        return problem_json(request, status=411, detail=LENGTH_REQUIRED, code="length_required")
    return HttpResponse(LENGTH_REQUIRED, status=411, content_type="text/plain")


# What an API answer depends on besides its URL: the format (negotiated from Accept), who asks
# (a token or a session), and CORS (django-cors-headers adds Origin on its own).
API_VARY = ("Accept", "Authorization", "Cookie", "Origin")


class ApiCacheControlMiddleware:
    """Cache-Control and Vary on every GET/HEAD under /api/ that answers 200 or 304.

    Anonymous means no Authorization header and no session cookie: the rule the front door's
    cache applies too (it never stores or serves an answer to such a request). A view that set
    Cache-Control itself keeps it, made private when not anonymous; an answer setting a cookie
    is never public.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD") or not request.path.startswith("/api/"):
            return response
        patch_vary_headers(response, API_VARY)
        if response.status_code not in (200, 304):
            return response
        private = not self._anonymous(request) or bool(response.cookies)
        if response.has_header("Cache-Control"):
            if private:
                patch_cache_control(response, private=True)  # drops a view's "public"
        elif private:
            # Stored by the caller's own browser only, and revalidated (ETag) on every use.
            patch_cache_control(response, private=True, no_cache=True)
        else:
            patch_cache_control(response, public=True, max_age=settings.API_CACHE_SECONDS)
            # What is left of one client's quota is not for a shared cache to hand to others;
            # the policy is the same for everyone and stays.
            del response["RateLimit"]
        return response

    @staticmethod
    def _anonymous(request) -> bool:
        user = getattr(request, "user", None)
        return (
            "HTTP_AUTHORIZATION" not in request.META
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not (user is not None and user.is_authenticated)
        )


class PageLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware for the public pages and the admin only.

    The pages carry their language in the path (`/ru/commitments/…`, i18n_patterns in
    config/urls.py); an unprefixed page (`/`, an old `/commitments/…` link) is redirected to
    the reader's language by Accept-Language. The admin, at /admin/ with no prefix, follows
    the staff member's language (cookie, Accept-Language). The API negotiates its own
    (config.api.languages); /health/ and /metrics are for machines: all three are left alone.
    """

    SKIPPED = ("/api/", "/health/", "/metrics")

    def process_request(self, request):
        if request.path_info.startswith(self.SKIPPED):
            return None
        return super().process_request(request)

    def process_response(self, request, response):
        if request.path_info.startswith(self.SKIPPED):
            return response
        response = super().process_response(request, response)
        # Django leaves the language active in the thread after the request; the next
        # request on it (an API call, which does not come here) or a task must not inherit it.
        translation.deactivate()
        return response
