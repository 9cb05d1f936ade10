"""Which fields of a webhook subscription and of its log the API shows, the owner edits, or
stay internal (see common.fields)."""

from common.fields import Access, FieldRegistry
from webhooks.models import WebhookAttempt, WebhookSubscription

SUBSCRIPTION_FIELDS = FieldRegistry(
    WebhookSubscription,
    {
        "id": Access.READ_ONLY,
        "url": Access.EDITABLE,
        "description": Access.EDITABLE,
        "alert_kinds": Access.EDITABLE,
        "filters": Access.EDITABLE,
        "language": Access.EDITABLE,
        # Editable to re-enable a subscription the service disabled (or to pause one).
        "is_active": Access.EDITABLE,
        "disabled_at": Access.READ_ONLY,
        "disabled_reason": Access.READ_ONLY,
        "consecutive_failures": Access.READ_ONLY,
        "next_attempt_at": Access.READ_ONLY,
        "last_alert_id": Access.READ_ONLY,
        "created_at": Access.READ_ONLY,
        "updated_at": Access.READ_ONLY,
        "owner": Access.INTERNAL,
        # Shown once, in the answer to the create (webhooks.api.serializers).
        "secret": Access.INTERNAL,
    },
)

ATTEMPT_FIELDS = FieldRegistry(
    WebhookAttempt,
    {
        "id": Access.READ_ONLY,
        "webhook_id": Access.READ_ONLY,
        "event_type": Access.READ_ONLY,
        "alert": Access.READ_ONLY,
        "attempted_at": Access.READ_ONLY,
        "succeeded": Access.READ_ONLY,
        "status_code": Access.READ_ONLY,
        "latency_ms": Access.READ_ONLY,
        "response_excerpt": Access.READ_ONLY,
        "error": Access.READ_ONLY,
        "subscription": Access.INTERNAL,
    },
)
