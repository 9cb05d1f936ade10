"""Reads of API tokens: find the token a request presents."""

from __future__ import annotations

import hashlib
import hmac
import re

from accounts.models import ApiToken

# ct_ + 8 hex digits + . + 43 characters of URL-safe base64 (32 random bytes).
TOKEN_PATTERN = re.compile(r"^ct_(?P<prefix>[0-9a-f]{8})\.(?P<secret>[A-Za-z0-9_-]{43})$")


def token_sha256(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def api_token_find(*, key: str) -> ApiToken | None:
    """The token (revoked or not) whose key this is, with its user; None when there is none.

    The lookup goes by the clear prefix; the hashes are then compared in constant time so
    that the response time says nothing about how much of a guessed key was right.
    """
    match = TOKEN_PATTERN.match(key)
    if match is None:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=match["prefix"]).first()
    if token is None or not hmac.compare_digest(token.key_sha256, token_sha256(key)):
        return None
    return token
