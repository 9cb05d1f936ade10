"""Every write to API tokens: create, revoke, note a use."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import ApiToken
from accounts.selectors import token_sha256

# A busy token writes its last-used time at most this often.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewApiToken:
    token: ApiToken
    # The only time the key exists outside the caller's hands: show it once, never store it.
    key: str


def api_token_create(*, user, name: str) -> NewApiToken:
    """Create a token for `user`; return it with its key, which is not kept anywhere."""
    name = (name or "").strip() or "API token"
    for _attempt in range(5):  # a clash of 32-bit prefixes is rare; retry with a new one
        prefix = secrets.token_hex(4)
        key = f"ct_{prefix}.{secrets.token_urlsafe(32)}"
        token = ApiToken(user=user, name=name[:100], prefix=prefix, key_sha256=token_sha256(key))
        token.full_clean(exclude=["prefix", "key_sha256"])
        try:
            with transaction.atomic():
                token.save()
        except IntegrityError:
            continue
        return NewApiToken(token=token, key=key)
    raise RuntimeError("Could not find a free token prefix; try again.")


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token; it stops working at once. Revoking twice keeps the first time."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token


def api_token_note_use(*, token: ApiToken) -> None:
    """Record that the token was used, unless that was recorded less than a minute ago.

    One conditional UPDATE: concurrent requests with the same token do not queue on a lock.
    """
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).exclude(
        last_used_at__gte=now - LAST_USED_RESOLUTION
    ).update(last_used_at=now)
    token.last_used_at = now
