"""Webhook subscriptions in the admin: staff see everyone's, change them through the
services, send a test event, re-enable a disabled one, and read each one's delivery log."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from common.admin import form_add_refusal
from webhooks.models import WebhookAttempt, WebhookSubscription
from webhooks.services import webhook_subscription_check, webhook_subscription_update
from webhooks.tasks import webhook_test_enqueue


class WebhookSubscriptionForm(forms.ModelForm):
    url = forms.URLField(max_length=2000, assume_scheme="https")

    class Meta:
        model = WebhookSubscription
        fields = ("url", "description", "alert_kinds", "filters", "is_active")

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                webhook_subscription_check(
                    url=cleaned["url"],
                    alert_kinds=cleaned["alert_kinds"],
                    filters=cleaned.get("filters") or {},
                )
            except ValidationError as error:
                form_add_refusal(self, error)
        return cleaned


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = (
        "attempted_at",
        "webhook_id",
        "event_type",
        "succeeded",
        "status_code",
        "latency_ms",
        "error",
        "response_excerpt",
    )
    readonly_fields = fields
    ordering = ("-id",)
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        # The latest attempts: a failing receiver's log grows by thousands.
        queryset = super().get_queryset(request)
        ids = list(queryset.order_by("-id").values_list("id", flat=True)[:50])
        return queryset.filter(id__in=ids)


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = (
        "url",
        "owner",
        "is_active",
        "consecutive_failures",
        "last_alert_id",
        "disabled_reason",
    )
    list_filter = ("is_active",)
    list_select_related = ("owner",)
    search_fields = ("url", "description", "owner__username")
    fields = (
        "owner",
        "url",
        "description",
        "alert_kinds",
        "filters",
        "is_active",
        "disabled_at",
        "disabled_reason",
        "consecutive_failures",
        "next_attempt_at",
        "last_alert_id",
        "created_at",
    )
    readonly_fields = (
        "owner",
        "disabled_at",
        "disabled_reason",
        "consecutive_failures",
        "next_attempt_at",
        "last_alert_id",
        "created_at",
    )
    inlines = [WebhookAttemptInline]
    actions = ["send_test_event", "enable"]

    # Subscriptions are made through the API, where the signing secret is shown to the
    # subscriber once; the admin never shows it.
    def has_add_permission(self, request) -> bool:
        return False

    form = WebhookSubscriptionForm

    def save_model(self, request, obj, form, change):
        # Checked by the form with the service's own rules; saved through the service.
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        webhook_subscription_update(subscription=obj, data=data)

    @admin.action(description=_("Send a test event"))
    def send_test_event(self, request, queryset):
        queued = [
            webhook_test_enqueue(subscription_id=pk) for pk in queryset.values_list("pk", flat=True)
        ]
        if all(queued):
            self.message_user(
                request,
                ngettext(
                    "%(count)s test event(s) queued; the attempts appear in each log.",
                    "%(count)s test event(s) queued; the attempts appear in each log.",
                    len(queued),
                )
                % {"count": len(queued)},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request, gettext("The task queue could not be reached."), messages.ERROR
            )

    @admin.action(description=_("Re-enable (delivery resumes where it stopped)"))
    def enable(self, request, queryset):
        for subscription in queryset.filter(is_active=False):
            webhook_subscription_update(subscription=subscription, data={"is_active": True})
        self.message_user(
            request, gettext("The selected subscriptions are enabled."), messages.SUCCESS
        )


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(admin.ModelAdmin):
    """The delivery log of every subscription: read-only."""

    list_display = (
        "attempted_at",
        "subscription",
        "webhook_id",
        "event_type",
        "succeeded",
        "status_code",
        "latency_ms",
        "error",
    )
    list_filter = ("succeeded", "event_type")
    list_select_related = ("subscription", "subscription__owner")
    search_fields = ("webhook_id", "subscription__url")
    date_hierarchy = "attempted_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
