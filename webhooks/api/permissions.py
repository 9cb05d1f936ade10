from rest_framework.permissions import BasePermission


class IsTokenHolder(BasePermission):
    """Any signed-in caller (a token, or a staff session in the browsable API) manages their
    own subscriptions: the API's default is staff-only writes, but a newsroom with a reader's
    token subscribes too. Whose subscriptions a caller reaches is the selector's business
    (webhooks.selectors.webhook_subscriptions_of)."""

    message = "Send an API token to manage webhook subscriptions."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_active)
