"""The admin for sources, and the two admin base classes the other apps use.

`ServiceAdmin` saves through the app's services instead of `Model.save()`. The admin
validates a form, then saves; a refusal that only the service can make (a text edit that
drops a quoted passage, a stale version) would come too late for the form and end as a 500.
So the save runs inside the admin's transaction and, when the service refuses, the
transaction is rolled back and the same POST is shown again with the refusal on the form.
The lowest app holds these base classes because commitments depends on sources, never the
other way round.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from sources.models import Source
from sources.services import EDITABLE_FIELDS, source_create, source_delete, source_update


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

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("The history is read-only.")
        return super().history_form_view(request, object_id, version_id, extra_context)


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


@admin.register(Source)
class SourceAdmin(ServiceAdmin):
    list_display = ("title", "publisher", "published", "kind", "language", "citation_count")
    list_filter = ("kind", "language")
    search_fields = ("title", "publisher", "author", "url")
    fieldsets = (
        (None, {"fields": ("title", "publisher", "author", "url", "published", "kind")}),
        (
            "Text",
            {
                "fields": ("language", "text", "sha256"),
                "description": "Paste the full text of the document. Quotes are checked "
                "against it, and its SHA-256 makes any later edit of the text visible.",
            },
        ),
        ("Cited by", {"fields": ("cited_by",)}),
        ("Record", {"fields": ("published_on", "created_at", "updated_at")}),
    )
    readonly_fields = ("sha256", "cited_by", "published_on", "created_at", "updated_at")

    def get_queryset(self, request):
        # An aggregate drops Meta.ordering (GROUP BY): order again, for stable pages.
        return (
            super()
            .get_queryset(request)
            .annotate(citation_count=Count("citations"))
            .order_by(*Source._meta.ordering)
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "text":
            # The text is kept exactly as pasted (line breaks aside): its hash depends on it.
            kwargs["strip"] = False
            kwargs["widget"] = forms.Textarea(attrs={"rows": 20, "cols": 100})
        if db_field.name == "url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="citations", ordering="citation_count")
    def citation_count(self, source: Source) -> int:
        return source.citation_count

    @admin.display(description="SHA-256 of the text")
    def sha256(self, source: Source) -> str:
        return source.text_sha256 or "— (computed when the source is saved)"

    @admin.display(description="Commitments citing this source")
    def cited_by(self, source: Source):
        if source.pk is None:
            return "—"
        citations = source.citations.select_related("commitment").order_by(
            "commitment__reference", "id"
        )
        if not citations:
            return "Not cited yet."
        return format_html(
            '<ul style="margin:0;padding-left:1.2em">{}</ul>',
            format_html_join(
                "",
                '<li><a href="{}">{}</a>: “{}”</li>',
                (
                    (
                        reverse("admin:commitments_commitment_change", args=[c.commitment_id]),
                        str(c.commitment),
                        c.quote[:200],
                    )
                    for c in citations
                ),
            ),
        )

    def service_save(self, request, form, formsets, change):
        if change:
            data = {name: form.cleaned_data[name] for name in form.changed_data}
            data = {name: value for name, value in data.items() if name in EDITABLE_FIELDS}
            if not data:
                return form.instance
            return source_update(source=form.instance, data=data, updated_by=request.user)
        fields = {name: form.cleaned_data[name] for name in EDITABLE_FIELDS}
        return source_create(**fields, created_by=request.user)

    def delete_view(self, request, object_id, extra_context=None):
        source = self.get_object(request, unquote(object_id))
        if source is not None and self.has_delete_permission(request, source):
            refusal = self._cited_refusal(source)
            if refusal:
                self.message_user(request, refusal, messages.ERROR)
                return HttpResponseRedirect(
                    reverse("admin:sources_source_change", args=[source.pk])
                )
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as error:  # cited between the check and the delete
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:sources_source_changelist"))

    def _cited_refusal(self, source: Source) -> str:
        references = list(
            source.citations.order_by("commitment__reference")
            .values_list("commitment__reference", flat=True)
            .distinct()
        )
        if not references:
            return ""
        return (
            f"The source “{source.title}” cannot be deleted: it is cited as evidence by "
            f"{len(references)} commitment(s) ({', '.join(references[:10])}"
            f"{', …' if len(references) > 10 else ''}) and the evidence would be lost. "
            "Remove those citations first."
        )

    def delete_model(self, request, obj):
        source_delete(source=obj)

    def delete_queryset(self, request, queryset):
        # The bulk action reaches here only for sources that nothing cites (the admin shows
        # the protected citations instead); the service is the last guard all the same.
        for source in queryset:
            source_delete(source=source)
