"""The admin where staff keep the record true. Every write goes through commitments/services.py.

Status and deadline are not fields of the change form: each change of them needs evidence, so
they have their own pages ("Record a status change", "Change the deadline", linked from the
commitment's page) and a bulk action, all calling the same services as the API.
"""

from __future__ import annotations

import calendar
from datetime import date
from functools import partial

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Func
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from commitments.choices import OPEN_STATUSES, STATUS_MAPPINGS, Status
from commitments.fields import ACTOR_FIELDS, COMMITMENT_FIELDS
from commitments.forms import (
    ActorAdminForm,
    CitationAddForm,
    ClaimForm,
    CommitmentAddForm,
    CommitmentChangeForm,
    CommitmentStatusChangeForm,
    DeadlineChangeForm,
    DisputeResolutionForm,
    PartyStatusChangeForm,
    StatusChangeForm,
)
from commitments.models import (
    Actor,
    Citation,
    Claim,
    ClaimResolution,
    Commitment,
    Party,
    ResearchItem,
)
from commitments.selectors import (
    commitment_history,
    commitments_disputed,
    commitments_search,
    tracker_today,
    with_progress,
)
from commitments.services import (
    CitationSpec,
    PartySpec,
    actor_create,
    actor_update,
    citation_add,
    claim_add,
    commitment_change_deadline,
    commitment_create,
    commitment_record_status_change,
    commitment_set_status_source,
    commitment_update,
    dispute_resolve,
    party_record_status_change,
)
from common.admin import (
    DateHierarchyChangeList,
    ReadOnlyTabularInline,
    ServiceAdmin,
    form_add_refusal,
)
from common.forms import admin_field_rows, service_data
from common.search import SEARCH_RANK
from common.services import VersionConflict
from common.translations import BASE_LANGUAGE, localized, localized_columns

EVIDENCE_FORM_TEMPLATE = "admin/commitments/commitment/evidence_form.html"


# --- actors ---------------------------------------------------------------------------------


@admin.register(Actor)
class ActorAdmin(ServiceAdmin):
    form = ActorAdminForm
    list_display = ("name", "short_name", "kind", "country", "parent")
    list_select_related = ("parent",)
    list_filter = ("kind", "country")
    # Every language's names (with_translations), not only the staff member's own.
    search_fields = (*localized_columns(Actor), "slug")
    autocomplete_fields = ("parent",)
    prepopulated_fields = {"slug": (localized("name", BASE_LANGUAGE),)}
    fields = admin_field_rows(Actor, ACTOR_FIELDS.editable)

    def service_save(self, request, form, formsets, change):
        if change:
            data = {name: form.cleaned_data[name] for name in form.changed_data}
            fields, translations = service_data(Actor, data)
            if not data:
                return form.instance
            return actor_update(actor=form.instance, data=fields, translations=translations)
        data = {name: form.cleaned_data[name] for name in ActorAdminForm.base_fields}
        fields, translations = service_data(Actor, data)
        return actor_create(**fields, translations=translations)


# --- commitments: inlines -------------------------------------------------------------------


class PartyInline(admin.TabularInline):
    model = Party
    fields = ("actor", "role", "own_status")
    readonly_fields = ("own_status",)
    autocomplete_fields = ("actor",)
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "status_evidence")

    @admin.display(description=_("Its own status"))
    def own_status(self, party: Party) -> str:
        if not party.status:
            return "—"
        text = gettext("%(status)s since %(day)s") % {
            "status": party.get_status_display(),
            "day": date_format(party.status_since, "SHORT_DATE_FORMAT"),
        }
        if party.status_reason:
            text += f" ({party.get_status_reason_display()})"
        return text


class CitationInline(ReadOnlyTabularInline):
    """The citations already recorded: evidence, shown, never edited here."""

    model = Citation
    verbose_name_plural = _("citations")
    fields = ("source_link", "quote", "note", "created_by", "created_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source", "created_by")

    @admin.display(description=_("source"))
    def source_link(self, citation: Citation):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:sources_source_change", args=[citation.source_id]),
            citation.source.title,
        )


class ClaimInline(ReadOnlyTabularInline):
    """The facts the citations state, beside them; claims in dispute are marked, and so is
    the one the project follows. Added on "Record a claim", never edited here."""

    model = Claim
    verbose_name_plural = _("claims (facts the citations state)")
    fields = ("fact", "value", "period", "dispute", "quote", "source_link", "note")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("citation__source", "commitment")

    @admin.display(description=_("days"))
    def period(self, claim: Claim) -> str:
        if claim.first_day is None and claim.last_day is None:
            return ""
        return gettext("%(first)s to %(last)s") % {
            "first": claim.first_day or "…",
            "last": claim.last_day or "…",
        }

    @admin.display(description=_("dispute"))
    def dispute(self, claim: Claim):
        if claim.fact not in claim.commitment.disputed_facts:
            return ""
        followed = (
            ClaimResolution.objects.filter(commitment_id=claim.commitment_id, fact=claim.fact)
            .order_by("-id")
            .values_list("followed_claim_id", flat=True)
            .first()
        )
        label = gettext("Disputed, followed") if followed == claim.pk else gettext("Disputed")
        return format_html(
            '<span class="dispute-badge" style="background:#a15c00;color:#fff;'
            'border-radius:4px;padding:1px 6px;white-space:nowrap">{}</span>',
            label,
        )

    @admin.display(description=_("quote"))
    def quote(self, claim: Claim) -> str:
        return claim.citation.quote

    @admin.display(description=_("source"))
    def source_link(self, claim: Claim):
        source = claim.citation.source
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:sources_source_change", args=[source.pk]), source
        )


class CitationAddInline(admin.TabularInline):
    """New citations: a source and a quote that occurs in its text."""

    model = Citation
    form = CitationAddForm
    verbose_name = _("new citation")
    verbose_name_plural = _("add citations")
    fields = ("source", "quote", "note")
    autocomplete_fields = ("source",)
    extra = 1
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).none()


def _parties_from(formset) -> list[PartySpec] | None:
    """The parties the formset asks for, or None when it was not touched."""
    if formset is None or not formset.has_changed():
        return None
    parties = []
    deleted = formset.deleted_forms
    for form in formset.forms:
        if form in deleted:
            formset.deleted_objects.append(form.instance)
            continue
        if form.instance.pk is None and not form.has_changed():
            continue  # an empty extra row
        parties.append(PartySpec(form.cleaned_data["actor"], form.cleaned_data["role"]))
        if form.instance.pk is None:
            formset.new_objects.append(form.instance)
        elif form.has_changed():
            formset.changed_objects.append((form.instance, form.changed_data))
    return parties


def _citations_from(formset) -> list[CitationSpec]:
    if formset is None:
        return []
    return [
        CitationSpec(
            form.cleaned_data["source"], form.cleaned_data["quote"], form.cleaned_data["note"]
        )
        for form in formset.forms
        if form.has_changed() and form.cleaned_data.get("source")
    ]


# --- commitments: list filters --------------------------------------------------------------


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(is_overdue=self.value() == "yes")
        return queryset


class TagFilter(admin.SimpleListFilter):
    title = _("tag")
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        tags = (
            model_admin.get_queryset(request)
            .annotate(tag=Func(F("tags"), function="unnest"))
            .values_list("tag", flat=True)
            .distinct()
            .order_by("tag")
        )
        return [(tag, tag) for tag in tags]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(tags__contains=[self.value()])
        return queryset


class HasDeadlineFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "has_deadline"

    def lookups(self, request, model_admin):
        return [("yes", _("With a deadline")), ("no", _("Without a deadline"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(deadline_last_day__isnull=self.value() == "no")
        return queryset


class DisputedFilter(admin.SimpleListFilter):
    title = _("sources disagree")
    parameter_name = "disputed"

    def lookups(self, request, model_admin):
        return [("yes", _("Disputed")), ("no", _("Not disputed"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return commitments_disputed(queryset, disputed=self.value() == "yes")
        return queryset


def _this_month(today: date) -> tuple[date, date]:
    return today.replace(day=1), today.replace(day=calendar.monthrange(today.year, today.month)[1])


def _this_quarter(today: date) -> tuple[date, date]:
    first_month = 3 * ((today.month - 1) // 3) + 1
    last_month = first_month + 2
    return (
        date(today.year, first_month, 1),
        date(today.year, last_month, calendar.monthrange(today.year, last_month)[1]),
    )


class DueFilter(admin.SimpleListFilter):
    """Open commitments whose deadline ends this month or quarter, in the tracker's zone."""

    title = _("due (open commitments)")
    parameter_name = "due"
    periods = {
        "this_month": (_("This month"), _this_month),
        "this_quarter": (_("This quarter"), _this_quarter),
    }

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _) in self.periods.items()]

    def queryset(self, request, queryset):
        if self.value() not in self.periods:
            return queryset
        first, last = self.periods[self.value()][1](tracker_today())
        return queryset.filter(status__in=OPEN_STATUSES, deadline_last_day__range=(first, last))


# --- commitments ----------------------------------------------------------------------------


@admin.register(Commitment)
class CommitmentAdmin(ServiceAdmin):
    service_refusals = (ValidationError, VersionConflict)
    list_display = (
        "reference",
        "title",
        "status",
        "deadline_as_stated",
        "deadline_last_day_column",
        "overdue_badge",
        "stale_badge",
        "last_change",
    )
    list_display_links = ("reference", "title")
    list_filter = (
        "status",
        "status_source",
        "status_reason",
        "evidence_stale",
        "kind",
        OverdueFilter,
        DisputedFilter,
        TagFilter,
        ("parties__actor", admin.RelatedOnlyFieldListFilter),
        HasDeadlineFilter,
        DueFilter,
        "is_published",
    )
    search_fields = ("reference", "title")  # only shows the box: see get_search_results
    date_hierarchy = "deadline_last_day"
    autocomplete_fields = ("parent",)
    list_per_page = 50
    actions = ["record_status_change"]
    change_form_template = "admin/commitments/commitment/change_form.html"

    class Media:
        css = {"all": ["common/admin.css"]}
        js = ["common/quote_picker.js"]

    # The editable fields come from COMMITMENT_FIELDS; status and deadline need evidence.
    fieldsets_add = (
        (None, {"fields": admin_field_rows(Commitment, COMMITMENT_FIELDS.editable_columns)}),
        (
            _("Status and deadline"),
            {
                "fields": ("status", "deadline"),
                "description": _(
                    "As the citations below state them when the commitment is entered. Later "
                    "changes need evidence: record them from the commitment's page."
                ),
            },
        ),
    )
    fieldsets_change = (
        (None, {"fields": admin_field_rows(Commitment, COMMITMENT_FIELDS.editable_columns)}),
        (
            _("Status and deadline"),
            {
                "fields": (
                    "status_display",
                    "status_source_display",
                    "deadline_display",
                    "overdue_display",
                    "evidence_display",
                    "progress_display",
                ),
                "description": _(
                    "These change only with evidence: use “Record a status change” or “Change "
                    "the deadline” at the top of this page."
                ),
            },
        ),
        (_("Status and deadline history"), {"fields": ("history_table",)}),
        (
            _("What the sources disagree on"),
            {
                "fields": ("disputes_table",),
                "description": _(
                    "Derived from the claims below the citations. “Resolve a dispute” records "
                    "which claim the project follows; both claims stay."
                ),
            },
        ),
        (_("Record"), {"fields": ("version", "created_at", "updated_at", "expected_version")}),
    )
    readonly_fields = (
        "status_display",
        "status_source_display",
        "deadline_display",
        "overdue_display",
        "evidence_display",
        "progress_display",
        "history_table",
        "disputes_table",
        "version",
        "created_at",
        "updated_at",
    )

    # --- forms and pages ---

    def get_fieldsets(self, request, obj=None):
        return self.fieldsets_add if obj is None else self.fieldsets_change

    def get_changelist(self, request, **kwargs):
        return DateHierarchyChangeList  # the deadline hierarchy in calendar days

    def get_search_results(self, request, queryset, search_term):
        # The API's search (full text, actor names included), not `search_fields`' icontains:
        # staff and the public find the same records. `search_fields` only shows the box.
        if not search_term.strip():
            return queryset, False
        # Best first where the order is not the list's own (the autocomplete).
        found = commitments_search(queryset, query=search_term)
        return found.order_by(F(SEARCH_RANK).desc(), "pk"), False

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = CommitmentAddForm if obj is None else CommitmentChangeForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_inlines(self, request, obj):
        return (
            (PartyInline, CitationAddInline)
            if obj is None
            else (
                PartyInline,
                CitationInline,
                ClaimInline,
                CitationAddInline,
            )
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/status-change/",
                view(self.status_change_view),
                name="commitments_commitment_status_change",
            ),
            path(
                "<path:object_id>/party-status-change/",
                view(self.party_status_change_view),
                name="commitments_commitment_party_status_change",
            ),
            path(
                "<path:object_id>/status-source/",
                view(self.status_source_view),
                name="commitments_commitment_status_source",
            ),
            path(
                "<path:object_id>/deadline-change/",
                view(self.deadline_change_view),
                name="commitments_commitment_deadline_change",
            ),
            path(
                "<path:object_id>/claim/",
                view(self.claim_add_view),
                name="commitments_commitment_claim_add",
            ),
            path(
                "<path:object_id>/dispute-resolution/",
                view(self.dispute_resolve_view),
                name="commitments_commitment_dispute_resolve",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_record_status_change": self.has_record_status_change_permission(request),
            "can_record_deadline_change": self.has_record_deadline_change_permission(request),
            "can_record_claim": request.user.has_perm("commitments.add_claim"),
            "can_resolve_dispute": request.user.has_perm("commitments.add_claimresolution"),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # --- permissions ---

    def has_record_status_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("commitments.record_status_change")

    def has_record_deadline_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("commitments.record_deadline_change")

    # --- saving through the services ---

    def service_save(self, request, form, formsets, change):
        parties_formset = next((f for f in formsets if f.model is Party), None)
        citations_formset = next((f for f in formsets if issubclass(f.form, CitationAddForm)), None)
        parties = _parties_from(parties_formset)
        citations = _citations_from(citations_formset)
        if not change:
            data = {name: form.cleaned_data[name] for name in CommitmentAddForm.base_fields}
            data.pop("deadline")
            fields, translations = service_data(Commitment, data)
            return commitment_create(
                **fields,
                translations=translations,
                deadline=form.cleaned_data["deadline"] or None,
                parties=parties or (),
                citations=citations,
                created_by=request.user,
            )
        commitment = form.instance
        # Every changed field goes to the service, which refuses what may not change: an
        # edit is never dropped in silence.
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        data.pop("expected_version", None)
        # The version the editor saw is checked by the first write; the row then stays
        # locked until the admin's transaction commits, so later writes need no check.
        expected_version = form.cleaned_data["expected_version"]
        if data or parties is not None:
            fields, translations = service_data(Commitment, data)
            commitment = commitment_update(
                commitment=commitment,
                data=fields,
                translations=translations,
                parties=parties,
                expected_version=expected_version,
                updated_by=request.user,
            )
            expected_version = None
        for spec in citations:
            citation = citation_add(
                commitment=commitment,
                source=spec.source,
                quote=spec.quote,
                note=spec.note,
                created_by=request.user,
                expected_version=expected_version,
            )
            citations_formset.new_objects.append(citation)
            expected_version = None
        return commitment

    # --- list columns and read-only fields ---

    @admin.display(description=_("deadline (as stated)"), ordering="deadline_text")
    def deadline_as_stated(self, commitment: Commitment) -> str:
        return commitment.deadline_text

    @admin.display(description=_("last day"), ordering="deadline_last_day")
    def deadline_last_day_column(self, commitment: Commitment):
        return commitment.deadline_last_day

    @admin.display(description=_("last change"), ordering="updated_at")
    def last_change(self, commitment: Commitment):
        return commitment.updated_at

    @admin.display(description=_("overdue"), ordering="overdue_since")
    def overdue_badge(self, commitment: Commitment):
        if not commitment.is_overdue:
            return ""
        return format_html(
            '<span class="overdue-badge" title="{}" style="background:#ba2121;'
            'color:#fff;border-radius:4px;padding:1px 6px;white-space:nowrap">{}</span>',
            gettext("Overdue since %(since)s") % {"since": commitment.overdue_since},
            gettext("Overdue"),
        )

    @admin.display(description=_("status"))
    def status_display(self, commitment: Commitment):
        mapping = STATUS_MAPPINGS[commitment.status]
        return format_html(
            "<strong>{}</strong> ({}{})",
            commitment.get_status_display(),
            mapping.description,
            gettext(", final") if mapping.is_final else "",
        )

    @admin.display(description=_("deadline"))
    def deadline_display(self, commitment: Commitment):
        if not commitment.has_deadline:
            return gettext("No deadline")
        return format_html(
            gettext("“{text}” (EDTF {edtf}): {first} to {last}"),
            text=commitment.deadline_text,
            edtf=commitment.deadline_edtf,
            first=commitment.deadline_first_day,
            last=commitment.deadline_last_day,
        )

    @admin.display(description=_("overdue"))
    def overdue_display(self, commitment: Commitment):
        if commitment.is_overdue:
            return self.overdue_badge(commitment)
        return gettext("No")

    @admin.display(description=_("changes, oldest first"))
    @admin.display(description=_("Status from"))
    def status_source_display(self, commitment: Commitment) -> str:
        text = commitment.get_status_source_display()
        if commitment.parties_status:
            text += " · " + gettext("the parties' statuses read: %(status)s") % {
                "status": commitment.get_parties_status_display()
            }
        if commitment.status_reason:
            text += " · " + gettext("reason: %(reason)s") % {
                "reason": commitment.get_status_reason_display()
            }
        return text

    @admin.display(description=_("Last checked"))
    def evidence_display(self, commitment: Commitment):
        day = (
            date_format(commitment.last_evidence_on, "DATE_FORMAT")
            if commitment.last_evidence_on
            else gettext("never")
        )
        if commitment.evidence_stale:
            return format_html(
                '{} <span class="stale-badge">{}</span>', day, gettext("Evidence stale")
            )
        return day

    @admin.display(description=_("Progress of its milestones"))
    def progress_display(self, commitment: Commitment) -> str:
        progress = with_progress(Commitment.objects.filter(pk=commitment.pk)).values_list(
            "progress", flat=True
        )[0]
        if progress is None:
            return "—"
        return gettext("%(percent)s%% of %(count)s milestone(s)") % {
            "percent": progress["percent"],
            "count": progress["milestones"],
        }

    @admin.display(description=_("Evidence"), ordering="evidence_stale")
    def stale_badge(self, commitment: Commitment):
        if not commitment.evidence_stale:
            return ""
        return format_html('<span class="stale-badge">{}</span>', gettext("stale"))

    def history_table(self, commitment: Commitment):
        entries = commitment_history(commitment=commitment)
        if not entries:
            return gettext("No status or deadline change recorded yet.")
        rows = []
        for entry in entries:
            change = entry.change
            if entry.kind == "status":
                what = gettext("Status: %(old)s → %(new)s") % {
                    "old": Status(change.old_status).label,
                    "new": Status(change.new_status).label,
                }
                why = change.note
            else:
                what = gettext("Deadline: %(old)s → %(new)s") % {
                    "old": change.old_text or gettext("none"),
                    "new": change.new_text or gettext("none"),
                }
                why = change.reason
            source = change.evidence.source
            rows.append(
                (
                    change.effective_on,
                    what,
                    why,
                    change.evidence.quote,
                    reverse("admin:sources_source_change", args=[source.pk]),
                    source.title,
                    change.recorded_by or gettext("System (no user)"),
                    date_format(timezone.localtime(entry.recorded_at), "DATETIME_FORMAT"),
                )
            )
        return format_html(
            '<table class="commitment-history"><thead><tr><th>{}</th><th>{}</th>'
            "<th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
            "</tr></thead><tbody>{}</tbody></table>",
            gettext("Took effect"),
            gettext("Change"),
            gettext("Note or reason"),
            gettext("Evidence"),
            gettext("Recorded by"),
            gettext("Recorded at"),
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td>"
                '<td>“{}” — <a href="{}">{}</a></td><td>{}</td><td>{}</td></tr>',
                rows,
            ),
        )

    def history_reason_display(self, reason: str | None) -> str:
        """ "status: proposed → in_progress" as "Status: Proposed → In progress"."""
        if reason and reason.startswith("status: ") and " → " in reason:
            old, new = reason.removeprefix("status: ").split(" → ", 1)
            labels = dict(Status.choices)
            return gettext("Status: %(old)s → %(new)s") % {
                "old": labels.get(old, old),
                "new": labels.get(new, new),
            }
        if reason and reason.startswith("deadline: ") and " → " in reason:
            old, new = reason.removeprefix("deadline: ").split(" → ", 1)
            return gettext("Deadline: %(old)s → %(new)s") % {"old": old, "new": new}
        if reason and reason.startswith("deadline: "):
            return gettext("Deadline: %(change)s") % {"change": reason.removeprefix("deadline: ")}
        return reason or ""

    # --- recording changes with evidence ---

    def _evidence_page(
        self, request, *, title, form, commitment=None, commitments=None, submit_label, hidden=None
    ):
        cancel_url = (
            reverse("admin:commitments_commitment_change", args=[commitment.pk])
            if commitment
            else reverse("admin:commitments_commitment_changelist")
        )
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": str(commitment) if commitment else None,
            "opts": self.opts,
            "form": form,
            "media": self.media + form.media,
            "commitment": commitment,
            "commitments": commitments,
            "hidden": hidden or [],
            "submit_label": submit_label,
            "cancel_url": cancel_url,
            "has_view_permission": self.has_view_permission(request, commitment),
        }
        return TemplateResponse(request, EVIDENCE_FORM_TEMPLATE, context)

    def _commitment_or_redirect(self, request, object_id):
        commitment = self.get_object(request, unquote(object_id))
        if commitment is None:
            return None, self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return commitment, None

    def _evidence_change_view(
        self, request, object_id, *, allowed, form_class, initial, record, title, submit_label
    ):
        """One page for a change that needs evidence: the form, the service call, and the
        service's refusals shown as form errors. `record(commitment, cleaned_data)` calls the
        service and returns the success message."""
        if not allowed:
            raise PermissionDenied
        commitment, redirect = self._commitment_or_redirect(request, object_id)
        if redirect:
            return redirect
        if request.method == "POST":
            form = form_class(request.POST)
            if form.is_valid():
                try:
                    message = record(commitment, form.cleaned_data)
                except (ValidationError, VersionConflict) as error:
                    form_add_refusal(form, error)
                else:
                    self.log_change(request, commitment, message)
                    self.message_user(request, message, messages.SUCCESS)
                    return HttpResponseRedirect(
                        reverse("admin:commitments_commitment_change", args=[commitment.pk])
                    )
        else:
            form = form_class(initial=initial(commitment))
        return self._evidence_page(
            request, title=title, form=form, commitment=commitment, submit_label=submit_label
        )

    def status_change_view(self, request, object_id):
        def record(commitment, data) -> str:
            change = commitment_record_status_change(
                commitment=commitment,
                status=data["status"],
                effective_on=data["effective_on"],
                source=data["source"],
                quote=data["quote"],
                note=data["note"],
                reason=data["reason"],
                replaced_by=data["replaced_by"],
                recorded_by=request.user,
                expected_version=data["expected_version"],
            )
            return gettext("Status changed from %(old)s to %(new)s, effective %(day)s.") % {
                "old": Status(change.old_status).label,
                "new": Status(change.new_status).label,
                "day": change.effective_on,
            }

        # The current status is no choice (a change must change it).
        current = self.get_object(request, unquote(object_id))
        return self._evidence_change_view(
            request,
            object_id,
            allowed=self.has_record_status_change_permission(request),
            form_class=partial(CommitmentStatusChangeForm, commitment=current),
            initial=lambda commitment: {"expected_version": commitment.version},
            record=record,
            title=gettext("Record a status change"),
            submit_label=gettext("Record the status change"),
        )

    def party_status_change_view(self, request, object_id):
        def record(commitment, data) -> str:
            change = party_record_status_change(
                party=data["party"],
                status=data["status"],
                effective_on=data["effective_on"],
                source=data["source"],
                quote=data["quote"],
                note=data["note"],
                reason=data["reason"],
                recorded_by=request.user,
                expected_version=data["expected_version"],
            )
            return gettext("%(party)s: its own status is now %(new)s, effective %(day)s.") % {
                "party": change.party,
                "new": Status(change.new_status).label,
                "day": change.effective_on,
            }

        current = self.get_object(request, unquote(object_id))
        return self._evidence_change_view(
            request,
            object_id,
            allowed=self.has_record_status_change_permission(request),
            form_class=partial(PartyStatusChangeForm, commitment=current),
            initial=lambda commitment: {"expected_version": commitment.version},
            record=record,
            title=gettext("Record a party's own status"),
            submit_label=gettext("Record the party's status"),
        )

    def status_source_view(self, request, object_id):
        """POST only: let the status follow the parties, or keep the recorded one."""
        if request.method != "POST" or not self.has_record_status_change_permission(request):
            raise PermissionDenied
        commitment, redirect = self._commitment_or_redirect(request, object_id)
        if redirect is not None:
            return redirect
        change_url = reverse("admin:commitments_commitment_change", args=[commitment.pk])
        try:
            commitment_set_status_source(
                commitment=commitment,
                status_source=request.POST.get("status_source", ""),
                recorded_by=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                self.message_user(request, message, messages.ERROR)
        else:
            self.message_user(request, gettext("Where the status comes from was changed."))
        return HttpResponseRedirect(change_url)

    def deadline_change_view(self, request, object_id):
        def record(commitment, data) -> str:
            change = commitment_change_deadline(
                commitment=commitment,
                deadline=data["deadline"] or None,
                reason=data["reason"],
                effective_on=data["effective_on"],
                source=data["source"],
                quote=data["quote"],
                recorded_by=request.user,
                expected_version=data["expected_version"],
            )
            return gettext("Deadline changed from “%(old)s” to “%(new)s”.") % {
                "old": change.old_text or gettext("none"),
                "new": change.new_text or gettext("none"),
            }

        return self._evidence_change_view(
            request,
            object_id,
            allowed=self.has_record_deadline_change_permission(request),
            form_class=DeadlineChangeForm,
            initial=lambda commitment: {
                "deadline": commitment.deadline_text,
                "expected_version": commitment.version,
            },
            record=record,
            title=gettext("Change the deadline"),
            submit_label=gettext("Change the deadline"),
        )

    @admin.display(description=_("disputes"))
    def disputes_table(self, commitment: Commitment):
        if not commitment.disputed_facts:
            return gettext("The sources disagree on nothing recorded here.")
        claims = Claim.objects.filter(
            commitment=commitment, fact__in=list(commitment.disputed_facts)
        ).select_related("citation__source")
        followed = {}  # fact → the latest resolution of it
        for resolution in ClaimResolution.objects.filter(commitment=commitment).order_by("id"):
            followed[resolution.fact] = resolution
        rows = []
        for claim in claims.order_by("fact", "id"):
            resolution = followed.get(claim.fact)
            is_followed = resolution is not None and resolution.followed_claim_id == claim.pk
            rows.append(
                (
                    claim.get_fact_display(),
                    claim.value,
                    claim.citation.quote,
                    claim.citation.source.title,
                    gettext("Followed: %(note)s") % {"note": resolution.note}
                    if is_followed
                    else "",
                )
            )
        return format_html(
            '<table class="commitment-disputes"><thead><tr><th>{}</th><th>{}</th>'
            "<th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody>"
            "</table>",
            gettext("Fact"),
            gettext("Value"),
            gettext("Quote"),
            gettext("Source"),
            gettext("Resolution"),
            format_html_join(
                "", "<tr><td>{}</td><td>{}</td><td>“{}”</td><td>{}</td><td>{}</td></tr>", rows
            ),
        )

    def claim_add_view(self, request, object_id):
        def record(commitment, data) -> str:
            claim = claim_add(
                commitment=commitment,
                fact=data["fact"],
                value=data["value"],
                note=data["note"],
                source=data["source"],
                quote=data["quote"],
                created_by=request.user,
                expected_version=data["expected_version"],
            )
            commitment.refresh_from_db(fields=["disputed_facts"])
            disputed = claim.fact in commitment.disputed_facts
            if disputed:
                return gettext(
                    "Claim recorded: %(claim)s. The sources now disagree on %(fact)s."
                ) % {"claim": claim, "fact": claim.get_fact_display().lower()}
            return gettext("Claim recorded: %(claim)s.") % {"claim": claim}

        return self._evidence_change_view(
            request,
            object_id,
            allowed=request.user.has_perm("commitments.add_claim"),
            form_class=ClaimForm,
            initial=lambda commitment: {"expected_version": commitment.version},
            record=record,
            title=gettext("Record a claim"),
            submit_label=gettext("Record the claim"),
        )

    def dispute_resolve_view(self, request, object_id):
        commitment = self.get_object(request, unquote(object_id))
        form_class = DisputeResolutionForm
        if commitment is not None:
            form_class = partial(DisputeResolutionForm, commitment=commitment)

        def record(commitment, data) -> str:
            claim = data["followed_claim"]
            dispute_resolve(
                commitment=commitment,
                fact=claim.fact,
                followed_claim=claim,
                note=data["note"],
                source=data["source"],
                quote=data["quote"],
                recorded_by=request.user,
                expected_version=data["expected_version"],
            )
            return gettext(
                "Resolution recorded: the project follows %(claim)s. Both claims stay."
            ) % {"claim": claim}

        return self._evidence_change_view(
            request,
            object_id,
            allowed=request.user.has_perm("commitments.add_claimresolution"),
            form_class=form_class,
            initial=lambda commitment: {"expected_version": commitment.version},
            record=record,
            title=gettext("Resolve a dispute"),
            submit_label=gettext("Record the resolution"),
        )

    @admin.action(
        description=_("Record a status change for the selected commitments"),
        permissions=["record_status_change"],
    )
    def record_status_change(self, request, queryset):
        """All or nothing: one piece of evidence backs one claim about the whole selection,
        so either every selected commitment takes the change or none does, and the page says
        which commitments refused and why."""
        commitments = list(queryset.order_by("pk"))
        form = StatusChangeForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            failures = self._record_status_changes(request, commitments, form.cleaned_data)
            if not failures:
                self.message_user(
                    request,
                    ngettext(
                        "Recorded the status change for %(count)s commitment(s).",
                        "Recorded the status change for %(count)s commitment(s).",
                        len(commitments),
                    )
                    % {"count": len(commitments)},
                    messages.SUCCESS,
                )
                return None
            _form_add_bulk_failures(form, failures, total=len(commitments))
        hidden = [("action", "record_status_change"), ("apply", "1")] + [
            (helpers.ACTION_CHECKBOX_NAME, c.pk) for c in commitments
        ]
        return self._evidence_page(
            request,
            title=ngettext(
                "Record a status change for %(count)s commitment(s)",
                "Record a status change for %(count)s commitment(s)",
                len(commitments),
            )
            % {"count": len(commitments)},
            form=form,
            commitments=commitments,
            submit_label=gettext("Record the status change for all of them"),
            hidden=hidden,
        )

    def _record_status_changes(self, request, commitments, data) -> list:
        failures = []
        with transaction.atomic():
            for commitment in commitments:
                try:
                    change = commitment_record_status_change(
                        commitment=commitment,
                        status=data["status"],
                        effective_on=data["effective_on"],
                        source=data["source"],
                        quote=data["quote"],
                        note=data["note"],
                        reason=data["reason"],
                        replaced_by=data["replaced_by"],
                        recorded_by=request.user,
                    )
                except ValidationError as error:
                    failures.append((commitment, error))
                else:
                    self.log_change(
                        request,
                        commitment,
                        gettext("Status changed from %(old)s to %(new)s (bulk action).")
                        % {
                            "old": Status(change.old_status).label,
                            "new": Status(change.new_status).label,
                        },
                    )
            if failures:
                transaction.set_rollback(True)
        return failures


def _form_add_bulk_failures(form, failures, *, total: int) -> None:
    """Say which commitments refused and why; put each distinct reason on its field once."""
    form.add_error(
        None,
        ngettext(
            "Nothing was recorded: %(failed)s of the %(total)s selected commitment(s) refused "
            "this change. Correct the form, or leave those commitments out, and try again.",
            "Nothing was recorded: %(failed)s of the %(total)s selected commitment(s) refused "
            "this change. Correct the form, or leave those commitments out, and try again.",
            total,
        )
        % {"failed": len(failures), "total": total},
    )
    seen = set()
    for commitment, error in failures:
        by_field = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
        for field, field_messages in by_field.items():
            for message in field_messages:
                form.add_error(None, f"{commitment.reference}: {message}")
                if field in form.fields and (field, message) not in seen:
                    seen.add((field, message))
                    form.add_error(field, message)


# --- the research queue ---------------------------------------------------------------------


@admin.register(ResearchItem)
class ResearchQueueAdmin(admin.ModelAdmin):
    """What nobody has checked for a while (the tracker's stale-evidence flag): the most
    overdue first, then the oldest evidence, with a click to what fixes it."""

    list_display = ("reference", "title", "status", "overdue_since", "last_checked", "next_steps")
    list_display_links = None
    list_per_page = 50

    # The changelist orders by this (a queryset's own order_by would be replaced by its pk).
    ordering = (
        F("overdue_since").asc(nulls_last=True),
        F("last_evidence_on").asc(nulls_first=True),
        "id",
    )

    def get_queryset(self, request):
        return ResearchItem.objects.filter(evidence_stale=True)

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("commitments.view_commitment")

    def has_module_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("Last checked"), ordering="last_evidence_on")
    def last_checked(self, item: ResearchItem) -> str:
        if item.last_evidence_on is None:
            return gettext("never")
        return date_format(item.last_evidence_on, "DATE_FORMAT")

    @admin.display(description=_("Next step"))
    def next_steps(self, item: ResearchItem):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:commitments_commitment_status_change", args=[item.pk]),
            gettext("Record a status with evidence"),
            reverse("admin:sources_source_add"),
            gettext("Add a follow-up article for the assistant"),
            reverse("admin:commitments_commitment_change", args=[item.pk]),
            gettext("Open"),
        )
