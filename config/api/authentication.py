"""API tokens: `Authorization: Bearer <key>` or `Authorization: Token <key>`.

Tokens are created with `python manage.py create_api_token USERNAME` and stored hashed
(accounts.models.ApiToken). A request without the header is anonymous; a header with a wrong,
revoked or malformed token is a 401 — never silently anonymous, so a client learns at once that
its token stopped working rather than seeing its limits drop.

Failed checks are counted per client address (API_THROTTLE_AUTH_FAILURES, default 20/min, in
the throttles' fixed windows). Over the limit, every token sent from that address is a 429
until the window ends, the right one too: otherwise a guesser would still tell a hit from a
miss. DRF authenticates before it runs any throttle, so this limit lives here. Counting fails
open, as the throttles do.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from redis.exceptions import RedisError
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, Throttled

from accounts.selectors import api_token_find
from accounts.services import api_token_note_use
from config.addresses import client_ip
from config.api.throttling import _window_count_incr, parse_rate

logger = logging.getLogger(__name__)

KEYWORDS = (b"bearer", b"token")


class FailedTokenWindow:
    """This client address's count of failed token checks in the current window."""

    def __init__(self, request):
        self.key = None
        rate = settings.API_THROTTLE_AUTH_FAILURES
        if not rate:
            return  # no limit configured
        self.allowed, window = parse_rate(rate)
        now = time.time()
        number = int(now // window)
        self.key = f"throttle:auth_failures:{client_ip(request)}:{number}"
        self.ttl = window + 1
        self.wait = (number + 1) * window - now

    def refuse_if_over(self) -> None:
        if self.key is None:
            return
        try:
            count = cache.get(self.key) or 0
        except RedisError as error:
            logger.warning("failed token checks not read, Redis unavailable: %s", error)
            return
        if count >= self.allowed:
            raise Throttled(
                wait=self.wait,
                detail="Too many failed token checks from this address.",
            )

    def record(self) -> None:
        if self.key is None:
            return
        try:
            _window_count_incr(self.key, ttl=self.ttl)
        except RedisError as error:
            logger.warning("failed token check not counted, Redis unavailable: %s", error)


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None  # no token: anonymous, or another scheme (the session) decides
        failures = FailedTokenWindow(request)
        failures.refuse_if_over()
        try:
            return self._token_user(parts)
        except AuthenticationFailed:
            failures.record()
            raise

    @staticmethod
    def _token_user(parts: list[bytes]):
        if len(parts) != 2:
            raise AuthenticationFailed(
                "Malformed Authorization header: send 'Authorization: Bearer <token>'.",
                code="malformed_token",
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("Invalid token.", code="invalid_token") from None
        token = api_token_find(key=key)
        if token is None:
            raise AuthenticationFailed("Invalid token.", code="invalid_token")
        if token.revoked_at is not None:
            raise AuthenticationFailed("This token was revoked.", code="revoked_token")
        if not token.user.is_active:
            raise AuthenticationFailed("The token's user is inactive.", code="inactive_user")
        api_token_note_use(token=token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) to an anonymous write, with the scheme to use.
        return 'Bearer realm="api"'


class ApiTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "config.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An API token from `python manage.py create_api_token USERNAME`, sent as "
                "`Authorization: Bearer <token>` (`Authorization: Token <token>` works too). "
                "Anonymous callers read published records; a token raises the rate limit; "
                "writes need the token of a staff user with the model's permission (the Editors "
                "group has them). Repeated failed token checks from one address are a 429."
            ),
        }
