"""Rate limits counted in Redis (Django's cache), in fixed windows.

One atomic INCR per request and window: no read-modify-write race between web processes, and
the count is shared by every process that uses the same Redis. Rates are read per request from
`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` (env API_THROTTLE_ANON / API_THROTTLE_USER, and
API_THROTTLE_CALENDAR for the one view with a scope of its own), so a changed setting needs no
restart of anything but the settings. A 429 carries Retry-After: the seconds until the window
ends.

Every counted response says where its caller stands, as draft-ietf-httpapi-ratelimit-headers
names it: `RateLimit-Policy: "anon";q=60;w=60` (quota per window of w seconds) and
`RateLimit: "anon";r=57;t=41` (requests left, seconds until the window ends). Both come from
the count the INCR returned and the window's arithmetic: no second round trip.

If Redis cannot be reached the request is let through: the limits protect the service, they
are not worth an outage of their own.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from django.core.cache import cache
from redis.commands.core import Script
from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from config.addresses import client_ip

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


@dataclass(frozen=True)
class WindowState:
    """Where a caller stands in one policy's current window, after this request."""

    policy: str  # the throttle's scope
    quota: int
    window: int  # seconds
    remaining: int
    reset: int  # seconds until the window ends

    def policy_item(self) -> str:
        return f'"{self.policy}";q={self.quota};w={self.window}'

    def item(self) -> str:
        return f'"{self.policy}";r={self.remaining};t={self.reset}'


# Where the counting throttles leave their WindowState, on the Django request (DRF's Request
# wraps it, and the middleware below sees only the Django one).
_STATES = "_ratelimit_states"


def ratelimit_headers_middleware(get_response):
    """Adds RateLimit-Policy and RateLimit to every response a throttle counted (429s too)."""

    def middleware(request):
        response = get_response(request)
        states = getattr(request, _STATES, None)
        if states:
            response["RateLimit-Policy"] = ", ".join(s.policy_item() for s in states.values())
            response["RateLimit"] = ", ".join(s.item() for s in states.values())
        return response

    return middleware


class FixedWindowThrottle(BaseThrottle):
    scope = ""

    def get_scope(self, view) -> str:
        return self.scope

    def get_ident_for(self, request) -> str | None:
        """Whom the request is counted against; None means it is not counted here."""
        raise NotImplementedError

    def get_ident(self, request) -> str | None:
        # DRF's reads X-Forwarded-For whole when NUM_PROXIES is unset: a made-up header per
        # request would be a fresh count each time. The project's one definition instead.
        return client_ip(request)

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
        window_end = (window_number + 1) * window
        state = WindowState(
            policy=scope,
            quota=allowed,
            window=window,
            remaining=max(allowed - count, 0),
            reset=math.ceil(window_end - now),
        )
        django_request = getattr(request, "_request", request)
        states = getattr(django_request, _STATES, None)
        if states is None:
            states = {}
            setattr(django_request, _STATES, states)
        states[scope] = state
        if count <= allowed:
            return True
        self._wait = window_end - now
        return False

    def wait(self) -> float | None:
        return self._wait


class AnonRateThrottle(FixedWindowThrottle):
    """Anonymous callers, per client address (config.addresses.client_ip)."""

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


class ScopedRateThrottle(FixedWindowThrottle):
    """A view's own limit, in place of the two above: the view names its `throttle_scope`
    (a key of DEFAULT_THROTTLE_RATES). Every caller is counted, per user with a token, per
    address without."""

    def get_scope(self, view) -> str:
        return getattr(view, "throttle_scope", "")

    def get_ident_for(self, request) -> str | None:
        if request.user and request.user.is_authenticated:
            return f"user-{request.user.pk}"
        return self.get_ident(request)
