from rest_framework import serializers

from config.api.serializers import StrictCharField, StrictModelSerializer, StrictSerializer
from tracker.filters import AlertFilter
from webhooks.fields import ATTEMPT_FIELDS, SUBSCRIPTION_FIELDS
from webhooks.models import WebhookAttempt, WebhookSubscription


def _filter_field(name: str) -> serializers.ListField:
    help_text = str(AlertFilter.base_filters[name].extra.get("help_text", ""))
    return serializers.ListField(
        child=StrictCharField(max_length=200),
        max_length=100,
        required=False,
        help_text=f"As the alerts feed's `{name}`: {help_text}",
    )


class WebhookFiltersSerializer(StrictSerializer):
    """The alerts feed's filters (each a list of values); only matching alerts are sent."""

    tag = _filter_field("tag")
    actor = _filter_field("actor")
    actor_id = _filter_field("actor_id")
    role = _filter_field("role")
    country = _filter_field("country")
    commitment_id = _filter_field("commitment_id")


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    """A subscription as its owner reads it (never its secret)."""

    filters = WebhookFiltersSerializer(read_only=True)
    deliveries_url = serializers.HyperlinkedIdentityField(
        view_name="webhook-deliveries", read_only=True
    )

    class Meta:
        model = WebhookSubscription
        fields = [*SUBSCRIPTION_FIELDS.representation(), "deliveries_url"]
        read_only_fields = fields


class WebhookSubscriptionCreatedSerializer(WebhookSubscriptionSerializer):
    """The answer to a create: the subscription and, this once, its signing secret."""

    secret = serializers.CharField(
        read_only=True,
        help_text=(
            "The signing secret (`whsec_…`), shown only now: keep it to verify the "
            "`webhook-signature` header of each delivery (Standard Webhooks)."
        ),
    )

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookSubscriptionWriteSerializer(StrictModelSerializer):
    """Create (POST: `url` and `alert_kinds`) or change (PATCH/PUT) a subscription. Setting
    `is_active` to true re-enables one that was disabled after failures."""

    tolerated_fields = (
        frozenset(SUBSCRIPTION_FIELDS.representation()) - set(SUBSCRIPTION_FIELDS.editable)
    ) | {"deliveries_url"}
    filters = WebhookFiltersSerializer(required=False)
    url = serializers.URLField(
        max_length=2000, help_text="Where alerts are POSTed: https, at a public address."
    )
    alert_kinds = serializers.ListField(
        child=serializers.ChoiceField(
            choices=WebhookSubscription._meta.get_field("alert_kinds").base_field.choices
        ),
        min_length=1,
        help_text="The alert kinds to deliver.",
    )

    class Meta:
        model = WebhookSubscription
        fields = SUBSCRIPTION_FIELDS.editable


class WebhookAttemptSerializer(serializers.ModelSerializer):
    """One request made to the subscriber."""

    class Meta:
        model = WebhookAttempt
        fields = ATTEMPT_FIELDS.representation()
        read_only_fields = fields
        extra_kwargs = {
            "webhook_id": {"help_text": "The `webhook-id` header: the same on every retry."},
            "latency_ms": {"help_text": "Milliseconds from sending to the answer's first bytes."},
            "response_excerpt": {"help_text": "The start of the receiver's answer."},
        }


class WebhookTestRequestSerializer(StrictSerializer):
    """No fields: send `{}` or no body at all."""


class WebhookTestQueuedSerializer(serializers.Serializer):
    """The test event is queued: its attempt will appear in the delivery log."""

    deliveries_url = serializers.URLField(help_text="Where the attempt will be logged.")
