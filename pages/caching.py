"""Pages are the same for every reader (published records only), so shared caches may keep
them: Cache-Control public for PAGES_CACHE_SECONDS, an ETag, and 304 to If-None-Match."""

from functools import wraps

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotAllowed
from django.middleware.http import ConditionalGetMiddleware
from django.utils.cache import patch_cache_control
from django.utils.decorators import decorator_from_middleware

conditional_get = decorator_from_middleware(ConditionalGetMiddleware)


ALLOWED = "GET, HEAD, OPTIONS"


def public_page(view):
    @wraps(view)
    def cached(request, *args, **kwargs):
        # Read-only pages: OPTIONS says so, anything but a read is a 405 (both with Allow).
        if request.method == "OPTIONS":
            return HttpResponse(status=204, headers={"Allow": ALLOWED})
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(ALLOWED.split(", "))
        response = view(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=settings.PAGES_CACHE_SECONDS)
        return response

    return conditional_get(cached)
