"""Rate limits counted in Redis (Django's cache), in fixed windows.

One atomic INCR per request and window: no read-modify-write race between web processes, and
the count is shared by every process that uses the same Redis. Rates are read per request from
`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` (env API_THROTTLE_ANON / API_THROTTLE_USER), so a
changed setting needs no restart of anything but the settings. A 429 carries Retry-After: the
seconds until the window ends.

If Redis cannot be reached the request is let through: the limits protect the service, they
are not worth an outage of their own.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache
from redis.commands.core import Script
from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'120/min' → (120, 60): requests allowed per window, window length in seconds."""
    number, period = rate.split("/")
    return int(number), PERIODS[period.strip()[0]]


# INCR, and EXPIRE on the window's first hit, run by Redis as one atomic command.
_INCR_WITH_TTL = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""
_incr_with_ttl = Script(None, _INCR_WITH_TTL.encode())  # EVALSHA; loaded on first use


def _window_count_incr(key: str, *, ttl: int) -> int:
    """The window's count after this request: one round trip to the cache's own Redis, in the
    cache's key space.

    Every API request pays for this, so it is one EVALSHA rather than the cache API's
    add-then-incr (two or three round trips) or a pipeline (whose client object costs more to
    build than the round trip: bench/README.md).
    """
    full_key = cache.make_and_validate_key(key)
    client = cache._cache.get_client(full_key, write=True)  # Django's RedisCache client
    return int(_incr_with_ttl(keys=[full_key], args=[ttl], client=client))


class FixedWindowThrottle(BaseThrottle):
    scope = ""

    def get_scope(self, view) -> str:
        return self.scope

    def get_ident_for(self, request) -> str | None:
        """Whom the request is counted against; None means it is not counted here."""
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        self._wait = None
        scope = self.get_scope(view)
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope) if scope else None
        ident = self.get_ident_for(request)
        if not rate or ident is None:
            return True
        allowed, window = parse_rate(rate)
        now = time.time()
        window_number = int(now // window)
        key = f"throttle:{scope}:{ident}:{window_number}"
        try:
            count = _window_count_incr(key, ttl=window + 1)
        except RedisError as error:
            logger.warning("throttle not counted, Redis unavailable: %s", error)
            return True
        if count <= allowed:
            return True
        self._wait = (window_number + 1) * window - now
        return False

    def wait(self) -> float | None:
        return self._wait


class AnonRateThrottle(FixedWindowThrottle):
    """Anonymous callers, per client address (X-Forwarded-For is trusted per NUM_PROXIES)."""

    scope = "anon"

    def get_ident_for(self, request) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return self.get_ident(request)


class UserRateThrottle(FixedWindowThrottle):
    """Callers with a token (or a session), per user: all of a user's tokens share one count."""

    scope = "user"

    def get_ident_for(self, request) -> str | None:
        if request.user and request.user.is_authenticated:
            return f"user-{request.user.pk}"
        return None
