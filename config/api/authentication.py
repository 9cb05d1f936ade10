"""API tokens: `Authorization: Bearer <key>` or `Authorization: Token <key>`.

Tokens are created with `python manage.py create_api_token USERNAME` and stored hashed
(accounts.models.ApiToken). A request without the header is anonymous; a header with a wrong,
revoked or malformed token is a 401 — never silently anonymous, so a client learns at once that
its token stopped working rather than seeing its limits drop.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from accounts.selectors import api_token_find
from accounts.services import api_token_note_use

KEYWORDS = (b"bearer", b"token")


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None  # no token: anonymous, or another scheme (the session) decides
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
                "writes need a staff user's token."
            ),
        }
