"""Webhook subscriptions: each token holder manages their own (staff all of them, in the
admin). Creating one answers its signing secret, once."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from config.api.links import created as created_response
from config.api.viewsets import ApiGenericViewSet
from webhooks.api.permissions import IsTokenHolder
from webhooks.api.serializers import (
    WebhookAttemptSerializer,
    WebhookSubscriptionCreatedSerializer,
    WebhookSubscriptionSerializer,
    WebhookSubscriptionWriteSerializer,
    WebhookTestQueuedSerializer,
    WebhookTestRequestSerializer,
)
from webhooks.models import WebhookSubscription
from webhooks.selectors import webhook_attempts_of, webhook_subscriptions_of
from webhooks.services import (
    webhook_subscription_create,
    webhook_subscription_delete,
    webhook_subscription_update,
)
from webhooks.tasks import webhook_test_enqueue


class QueueUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The task queue could not be reached: try again in a minute."
    default_code = "queue_unavailable"


OWN = "Your own subscriptions only: another's is a 404."


@extend_schema_view(
    list=extend_schema(summary="Your webhook subscriptions", description=OWN),
    retrieve=extend_schema(summary="One of your webhook subscriptions", description=OWN),
    create=extend_schema(
        summary="Subscribe a URL to alerts",
        description=(
            "Alerts of the chosen kinds (and the alerts feed's filters) raised from now on are "
            "POSTed to `url`, signed per the Standard Webhooks specification "
            "(`webhook-id`, `webhook-timestamp`, `webhook-signature`). The answer holds the "
            "signing `secret`, shown this once. Targets must be public https addresses. One "
            "owner may have at most WEBHOOK_MAX_SUBSCRIPTIONS_PER_OWNER subscriptions (20 unless "
            "configured): one more is a 400 naming the limit."
        ),
        request=WebhookSubscriptionWriteSerializer,
        responses={201: WebhookSubscriptionCreatedSerializer},
    ),
    update=extend_schema(
        summary="Replace a subscription's settings",
        description=OWN,
        request=WebhookSubscriptionWriteSerializer,
        responses={200: WebhookSubscriptionSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a subscription (`is_active: true` re-enables it)",
        description=OWN,
        request=WebhookSubscriptionWriteSerializer,
        responses={200: WebhookSubscriptionSerializer},
    ),
    destroy=extend_schema(summary="Delete a subscription and its log", description=OWN),
)
class WebhookSubscriptionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ApiGenericViewSet,
):
    queryset = WebhookSubscription.objects.none()
    serializer_class = WebhookSubscriptionSerializer
    permission_classes = [IsTokenHolder]

    def get_queryset(self):
        return webhook_subscriptions_of(self.request.user).select_related("owner")

    def applies_list_params(self) -> bool:
        return getattr(self, "action", None) in ("list", "deliveries")

    # Throttles before the permission, so that an anonymous flood is a 429 here as on every
    # other endpoint, not an endless stream of cheap 401s.
    def check_permissions(self, request):
        self.check_throttles(request)
        super().check_permissions(request)

    def check_throttles(self, request):
        if getattr(request, "_webhooks_throttled", False):
            return
        request._webhooks_throttled = True
        super().check_throttles(request)

    def _answer(self, subscription, *, secret=None):
        data = WebhookSubscriptionSerializer(subscription, context={"request": self.request}).data
        if secret is None:
            return Response(data)
        # Created: the secret is shown this once.
        data = {**data, "secret": secret}
        return created_response(data, url_name="webhook-detail", pk=subscription.pk)

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = WebhookSubscriptionWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = webhook_subscription_create(owner=request.user, **serializer.validated_data)
        return self._answer(created.subscription, secret=created.secret)

    def update(self, request: Request, *args, partial: bool = False, **kwargs) -> Response:
        subscription = self.get_object()
        serializer = WebhookSubscriptionWriteSerializer(
            subscription, data=request.data, partial=partial
        )
        serializer.is_valid(raise_exception=True)
        subscription = webhook_subscription_update(
            subscription=subscription, data=dict(serializer.validated_data)
        )
        return self._answer(subscription)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        with transaction.atomic():
            webhook_subscription_delete(subscription=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="A subscription's delivery log",
        description=(
            "Every request made to the subscriber, newest first: the `webhook-id`, the "
            "answer's status, the latency, the start of the answer or the error. " + OWN
        ),
        responses={200: WebhookAttemptSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], url_path="deliveries", url_name="deliveries")
    def deliveries(self, request: Request, *args, **kwargs) -> Response:
        attempts = webhook_attempts_of(self.get_object()).order_by("-id")
        page = self.paginate_queryset(attempts)
        return self.get_paginated_response(WebhookAttemptSerializer(page, many=True).data)

    @extend_schema(
        summary="Send a test event",
        description=(
            "Queues one signed `webhook.test` event to the subscription's URL (not retried); "
            "the attempt appears in its delivery log. " + OWN
        ),
        request=WebhookTestRequestSerializer,
        responses={
            202: WebhookTestQueuedSerializer,
            503: OpenApiResponse(description="The task queue could not be reached."),
        },
    )
    @action(detail=True, methods=["post"], url_path="test", url_name="test")
    def send_test(self, request: Request, *args, **kwargs) -> Response:
        subscription = self.get_object()
        WebhookTestRequestSerializer(data=request.data).is_valid(raise_exception=True)
        if not webhook_test_enqueue(subscription_id=subscription.pk):
            raise QueueUnavailable()
        return Response(
            {
                "deliveries_url": reverse(
                    "webhook-deliveries", kwargs={"pk": subscription.pk}, request=request
                ),
            },
            status=status.HTTP_202_ACCEPTED,
        )
