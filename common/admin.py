"""Admin base classes every app uses: saving through the services, a read-only history.

`ServiceAdmin` saves through the app's services instead of `Model.save()`. The admin
validates a form, then saves; a refusal that only the service can make (a text edit that
drops a quoted passage, a stale version) would come too late for the form and end as a 500.
So the save runs inside the admin's transaction and, when the service refuses, the
transaction is rolled back and the same POST is shown again with the refusal on the form.
"""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin


def form_add_refusal(form: forms.BaseForm, error: Exception) -> None:
    """Put a service's refusal on the form: each message on its field, or above the form
    (named by its field) when the form has no such field. Anything but a ValidationError
    keyed by field (a VersionConflict, say) goes above the form as it is worded."""
    if not isinstance(error, ValidationError):
        form.add_error(None, str(error))
        return
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, field_messages in error.message_dict.items():
        if field in form.fields:
            form.add_error(field, field_messages)
        elif field == "__all__":
            form.add_error(None, field_messages)
        else:
            label = field.replace("_", " ").capitalize()
            form.add_error(None, [f"{label}: {message}" for message in field_messages])


class MultilineField(forms.CharField):
    """Browsers send a textarea's line breaks as CRLF. Keep LF, so that saving a page
    unchanged does not count as an edit (nor change a source's hash)."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


class HistoryAdmin(SimpleHistoryAdmin):
    """The audit library's "History" page, read-only: reverting to an old version would be a
    write that bypasses the services (and the evidence every status change needs)."""

    formfield_overrides = {models.TextField: {"form_class": MultilineField}}
    object_history_list_template = "admin/common/object_history_list.html"

    def history_reason_display(self, reason: str | None) -> str:
        """A record's change reason as staff read it; apps translate their own codes."""
        return reason or ""

    def set_history_delta_changes(self, request, page_obj, *args, **kwargs):
        super().set_history_delta_changes(request, page_obj, *args, **kwargs)
        for record in page_obj.object_list:
            record.reason_display = self.history_reason_display(record.history_change_reason)

    def history_view(self, request, object_id, extra_context=None):
        extra_context = {
            "time_zone_name": timezone.get_current_timezone_name(),
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("The history is read-only.")
        return super().history_form_view(request, object_id, version_id, extra_context)


class DateHierarchyChangeList(ChangeList):
    """A changelist whose date hierarchy over a DateField filters by calendar days.

    Django makes the hierarchy's bounds aware datetimes in the current time zone (the admin's
    is TRACKER_TIME_ZONE) and a DateField turns an aware datetime into a date in the default
    zone (UTC): east of UTC every bound moved a day back, and "2027" lost 31 December. The
    bounds are given back as the dates they were.
    """

    def get_filters(self, request):
        specs, has_filters, lookups, duplicates, active = super().get_filters(request)
        field = self.date_hierarchy and self.model._meta.get_field(self.date_hierarchy)
        if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
            for key in (f"{self.date_hierarchy}__gte", f"{self.date_hierarchy}__lt"):
                if key in lookups:
                    lookups[key] = [
                        timezone.localtime(value).date() if isinstance(value, datetime) else value
                        for value in lookups[key]
                    ]
        return specs, has_filters, lookups, duplicates, active


class _ServiceRefused(Exception):
    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


class ServiceAdmin(HistoryAdmin):
    """A ModelAdmin whose add and change forms save through a service (`service_save`).

    `service_save(request, form, formsets, change)` does the whole write (the object and its
    inlines) and returns the saved object; it may raise a ValidationError keyed by field or
    another refusal listed in `service_refusals`.
    """

    service_refusals: tuple[type[Exception], ...] = (ValidationError,)

    def service_save(self, request, form, formsets, change):
        raise NotImplementedError

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _ServiceRefused as refused:
            # The admin's transaction has been rolled back. Render the same POST again: the
            # form built for it carries the refusal as a validation error.
            request._service_refusal = refused.error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "_service_refusal", None)
        if refusal is None:
            return form_class

        class RefusedForm(form_class):
            def _post_clean(self):
                super()._post_clean()
                form_add_refusal(self, refusal)

        RefusedForm.__name__ = form_class.__name__
        return RefusedForm

    def save_model(self, request, obj, form, change):
        # Nothing is written here: the write needs the inlines too (see save_related).
        pass

    def save_related(self, request, form, formsets, change):
        for formset in formsets:  # read by the admin's change message
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        try:
            saved = self.service_save(request, form, formsets, change)
        except self.service_refusals as error:
            raise _ServiceRefused(error) from error
        # The admin goes on with form.instance (the log entry, the redirect): make it the row.
        form.instance.pk = saved.pk
        form.instance._state.adding = False
        form.instance.refresh_from_db()


class ReadOnlyTabularInline(admin.TabularInline):
    """Records shown beside their parent and never edited there (evidence, claims): they are
    added through their own pages, which call the services."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
