"""Pages are the same for every reader (published records only), so shared caches may keep
them: Cache-Control public for PAGES_CACHE_SECONDS, an ETag, and 304 to If-None-Match."""

from functools import wraps

from django.conf import settings
from django.middleware.http import ConditionalGetMiddleware
from django.utils.cache import patch_cache_control
from django.utils.decorators import decorator_from_middleware

conditional_get = decorator_from_middleware(ConditionalGetMiddleware)


def public_page(view):
    @wraps(view)
    def cached(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=settings.PAGES_CACHE_SECONDS)
        return response

    return conditional_get(cached)
