"""The archive in the admin: each source's link with its captures and checks, read-only (a
worker writes them, archive/services.py), with "Capture now" for a page staff want again,
and the quotes a capture does not hold, for staff to look at."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from archive.models import Capture, LinkCheck, QuoteCheck, SourceLink
from archive.selectors import CHECKS_SHOWN, citations_not_in_archive
from archive.services import link_check_now
from archive.tasks import source_check_enqueue


class ReadOnlyAdmin(admin.ModelAdmin):
    """Whoever may view sources may view their archive; nobody edits it by hand."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("sources.view_source") or super().has_view_permission(
            request, obj
        )

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _list(rows) -> str:
    items = format_html_join("", "<li>{} — {} {} {}</li>", list(rows))
    return format_html("<ul style='margin:0;padding-left:1.2em'>{}</ul>", items) if items else ""


def _warc_link(capture: Capture):
    return format_html(
        '<a href="{}">{}</a>',
        reverse("source-capture-warc", args=[capture.source_id, capture.pk]),
        _("WARC file"),
    )


@admin.register(SourceLink)
class SourceLinkAdmin(ReadOnlyAdmin):
    list_display = ("source", "url", "state", "state_since", "last_checked_at", "next_check_at")
    list_filter = ("state",)
    list_select_related = ("source",)
    search_fields = ("url", "source__title")
    ordering = ("-state_since",)
    fields = (
        "source_link",
        "url",
        "state",
        "state_since",
        "consecutive_failures",
        "consecutive_missing",
        "last_checked_at",
        "next_check_at",
        "captures",
        "checks",
    )
    readonly_fields = fields
    actions = ["capture_now"]

    @admin.display(description=_("source"))
    def source_link(self, link: SourceLink):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:sources_source_change", args=[link.source_id]),
            link.source,
        )

    @admin.display(description=_("captures"))
    def captures(self, link: SourceLink):
        rows = Capture.objects.filter(source_id=link.source_id).order_by("-fetched_at", "-id")
        return _list(
            (f"{c.fetched_at:%Y-%m-%d %H:%M}", c.final_url, c.http_status, _warc_link(c))
            for c in rows
        ) or _("None yet.")

    @admin.display(description=_("latest checks"))
    def checks(self, link: SourceLink):
        rows = LinkCheck.objects.filter(source_id=link.source_id).order_by("-checked_at", "-id")
        return _list(
            (
                f"{c.checked_at:%Y-%m-%d %H:%M}",
                c.get_outcome_display(),
                c.http_status or "",
                c.error,
            )
            for c in rows[:CHECKS_SHOWN]
        ) or _("None yet.")

    @admin.action(description=_("Capture the selected pages now"), permissions=["capture"])
    def capture_now(self, request, queryset):
        count = 0
        for link in queryset.select_related("source"):
            link_check_now(source=link.source)
            count += source_check_enqueue(source_id=link.source_id)
        self.message_user(
            request,
            ngettext(
                "%(count)d page queued for capture: the result appears here once a worker "
                "has fetched it.",
                "%(count)d pages queued for capture: the results appear here once a worker "
                "has fetched them.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )

    def has_capture_permission(self, request):
        return request.user.has_perm("sources.change_source")


@admin.register(Capture)
class CaptureAdmin(ReadOnlyAdmin):
    list_display = ("fetched_at", "source", "final_url", "http_status", "content_type", "warc_file")
    list_select_related = ("source",)
    search_fields = ("final_url", "source__title")
    date_hierarchy = "fetched_at"
    exclude = ("text",)
    readonly_fields = (
        "source",
        "fetched_at",
        "requested_url",
        "final_url",
        "http_status",
        "content_type",
        "body_sha256",
        "body_bytes",
        "etag",
        "last_modified",
        "text_note",
        "warc_file",
        "warc_sha256",
    )
    fields = readonly_fields

    @admin.display(description=_("WARC"))
    def warc_file(self, capture: Capture):
        return _warc_link(capture)


class NewestCaptureFilter(admin.SimpleListFilter):
    title = _("quote in the newest capture")
    parameter_name = "newest"

    def lookups(self, request, model_admin):
        return [("missing", _("Not found in the newest capture"))]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(citation__in=citations_not_in_archive(), found=False)
        return queryset


@admin.register(QuoteCheck)
class QuoteCheckAdmin(ReadOnlyAdmin):
    """Quotes checked against the archived pages: a quote not found is for staff to look at
    (a page changed, a quote mistyped), never trusted in silence."""

    list_display = ("citation_quote", "commitment", "capture", "found")
    list_filter = ("found", NewestCaptureFilter)
    list_select_related = ("citation__commitment", "capture")
    fields = ("citation", "capture", "found")
    readonly_fields = fields

    @admin.display(description=_("quote"))
    def citation_quote(self, check: QuoteCheck) -> str:
        return f"“{check.citation.quote[:120]}”"

    @admin.display(description=_("commitment"))
    def commitment(self, check: QuoteCheck):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:commitments_commitment_change", args=[check.citation.commitment_id]),
            check.citation.commitment.reference,
        )


@admin.register(LinkCheck)
class LinkCheckAdmin(ReadOnlyAdmin):
    list_display = ("checked_at", "url", "outcome", "attempt", "http_status", "error")
    list_filter = ("outcome",)
    search_fields = ("url",)
    date_hierarchy = "checked_at"
    # Every column of the log, as it was recorded.
    fields = tuple(field.name for field in LinkCheck._meta.fields if field.name != "id")
    readonly_fields = fields
