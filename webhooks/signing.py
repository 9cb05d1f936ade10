"""Signatures per the Standard Webhooks specification, made by its reference package, so that
a subscriber's verifier (any language's `standardwebhooks`) accepts them."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"


def secret_generate() -> str:
    """A new signing secret: `whsec_` and 32 random bytes in base64, the specification's form."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def signed_headers(*, secret: str, webhook_id: str, timestamp: datetime, body: str) -> dict:
    """The three headers of a signed message: its id, its time (Unix seconds) and the
    signature over `id.timestamp.body`."""
    signature = Webhook(secret).sign(msg_id=webhook_id, timestamp=timestamp, data=body)
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature,
    }
