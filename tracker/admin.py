"""The tracker's alerts in the admin: read-only, since only the deadline scan and the status
change receiver write them (tracker/services.py)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from tracker.models import Alert


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "commitment_link", "last_day", "status_change")
    list_select_related = ("commitment", "status_change")
    list_filter = ("kind",)
    search_fields = ("commitment__reference", "commitment__title")
    date_hierarchy = "created_at"
    fields = ("created_at", "kind", "commitment_link", "last_day", "status_change")
    readonly_fields = fields

    @admin.display(description="commitment", ordering="commitment__reference")
    def commitment_link(self, alert: Alert):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:commitments_commitment_change", args=[alert.commitment_id]),
            alert.commitment,
        )

    # Alerts are derived from commitments: whoever may view commitments may view their
    # alerts (the Editors group among them), and nobody edits them here.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("commitments.view_commitment") or super().has_view_permission(
            request, obj
        )

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
