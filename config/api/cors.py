"""Cross-origin access stays read-only, POST included.

django-cors-headers answers every preflight under /api/ with Access-Control-Allow-Origin and
lists the allowed methods (GET, HEAD, OPTIONS). That refuses PUT, PATCH and DELETE, but not
POST: POST is a CORS-safelisted method, which browsers send after any preflight that allowed
its headers, whatever Access-Control-Allow-Methods says (Fetch standard, CORS-preflight fetch).
So a page on another origin holding a staff token could still create records.

`ReadOnlyPreflightMiddleware` takes Access-Control-Allow-Origin (and the rest) off a
preflight for any method not in CORS_ALLOW_METHODS: the browser then refuses the request
itself and never sends it. It sits just outside CorsMiddleware and reads one header: a
preflight still costs no query and no Redis call.
"""

from __future__ import annotations

from django.conf import settings

_PREFLIGHT_HEADERS = (
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Max-Age",
    "Access-Control-Expose-Headers",
)


class ReadOnlyPreflightMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        requested = request.headers.get("Access-Control-Request-Method")
        if (
            request.method == "OPTIONS"
            and requested is not None
            and requested.upper() not in settings.CORS_ALLOW_METHODS
        ):
            for header in _PREFLIGHT_HEADERS:
                response.headers.pop(header, None)
        return response
