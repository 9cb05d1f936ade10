"""The admin for sources. Saves go through sources/services.py (common.admin.ServiceAdmin)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from common.admin import ServiceAdmin
from common.forms import admin_field_rows, service_data
from common.search import SEARCH_RANK
from sources.forms import SourceAdminForm
from sources.models import Source
from sources.selectors import source_search
from sources.services import source_create, source_delete, source_update


@admin.register(Source)
class SourceAdmin(ServiceAdmin):
    list_display = ("title", "publisher", "published", "kind", "language", "citation_count")
    list_filter = ("kind", "language")
    form = SourceAdminForm
    search_fields = ("title", "publisher", "author", "url")  # only shows the box
    fieldsets = (
        (
            None,
            {
                "fields": admin_field_rows(
                    Source, ("title", "publisher", "author", "url", "published", "kind")
                )
            },
        ),
        (
            _("Text"),
            {
                "fields": ("language", "text", "sha256"),
                "description": _(
                    "Paste the full text of the document. Quotes are checked against it, and "
                    "its SHA-256 makes any later edit of the text visible."
                ),
            },
        ),
        (_("Cited by"), {"fields": ("cited_by",)}),
        (_("Archive"), {"fields": ("archive_state",)}),
        (_("Record"), {"fields": ("published_on", "created_at", "updated_at")}),
    )
    readonly_fields = (
        "sha256",
        "cited_by",
        "archive_state",
        "published_on",
        "created_at",
        "updated_at",
    )
    # The object tools of other apps' pages on a source ("Suggest commitments") are linked
    # from this template when those apps register them.
    change_form_template = "admin/sources/source/change_form.html"

    class Media:
        css = {"all": ["common/admin.css"]}

    def get_urls(self):
        return [
            path(
                "<path:object_id>/text/",
                self.admin_site.admin_view(self.text_view),
                name="sources_source_text",
            ),
            *super().get_urls(),
        ]

    def text_view(self, request, object_id):
        """The source's full text as JSON, for the quote picker beside a quote field."""
        source = self.get_object(request, unquote(object_id))
        if source is None:
            raise Http404("No such source.")
        if not self.has_view_permission(request, source):
            raise PermissionDenied
        return JsonResponse({"id": source.pk, "title": source.title, "text": source.text})

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

    def get_search_results(self, request, queryset, search_term):
        # The API's search (full text), not `search_fields`' icontains: one behaviour.
        if not search_term.strip():
            return queryset, False
        # Best first where the order is not the list's own (the autocomplete).
        found = source_search(queryset=queryset, query=search_term)
        return found.order_by(F(SEARCH_RANK).desc(), "pk"), False

    @admin.display(description=_("citations"), ordering="citation_count")
    def citation_count(self, source: Source) -> int:
        return source.citation_count

    @admin.display(description=_("SHA-256 of the text"))
    def sha256(self, source: Source) -> str:
        return source.text_sha256 or gettext("— (computed when the source is saved)")

    @admin.display(description=_("Commitments citing this source"))
    def cited_by(self, source: Source):
        if source.pk is None:
            return "—"
        citations = source.citations.select_related("commitment").order_by(
            "commitment__reference", "id"
        )
        if not citations:
            return gettext("Not cited yet.")
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

    @admin.display(description=_("Archived copies of the page"))
    def archive_state(self, source: Source):
        # The archive app keeps it (archive.models.SourceLink, through its reverse name):
        # sources does not import the archive, which is built on it.
        link = getattr(source, "archive_link", None) if source.pk else None
        if link is None:
            return gettext("No URL, or not saved yet: nothing to archive.")
        return format_html(
            '{} — <a href="{}">{}</a>',
            link.get_state_display(),
            reverse("admin:archive_sourcelink_change", args=[source.pk]),
            gettext("captures, checks, capture now"),
        )

    def service_save(self, request, form, formsets, change):
        if change:
            # Every changed field goes to the service, which refuses what may not change.
            data = {name: form.cleaned_data[name] for name in form.changed_data}
            if not data:
                return form.instance
            fields, translations = service_data(Source, data)
            return source_update(
                source=form.instance,
                data=fields,
                translations=translations,
                updated_by=request.user,
            )
        data = {name: form.cleaned_data[name] for name in SourceAdminForm.base_fields}
        fields, translations = service_data(Source, data)
        return source_create(**fields, translations=translations, created_by=request.user)

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
        return ngettext(
            "The source “%(title)s” cannot be deleted: it is cited as evidence by %(count)s "
            "commitment(s) (%(references)s) and the evidence would be lost. Remove those "
            "citations first.",
            "The source “%(title)s” cannot be deleted: it is cited as evidence by %(count)s "
            "commitment(s) (%(references)s) and the evidence would be lost. Remove those "
            "citations first.",
            len(references),
        ) % {
            "title": source.title,
            "count": len(references),
            "references": ", ".join(references[:10]) + (", …" if len(references) > 10 else ""),
        }

    def delete_model(self, request, obj):
        source_delete(source=obj)

    def delete_queryset(self, request, queryset):
        # The bulk action reaches here only for sources that nothing cites (the admin shows
        # the protected citations instead); the service is the last guard all the same.
        for source in queryset:
            source_delete(source=source)
