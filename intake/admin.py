"""The intake's admin pages: "Suggest commitments" on a source's page, "Import status
changes" on the commitment list, and the actors' aliases.

Sources and commitments do not know the intake (the dependency runs intake → commitments →
sources), so the source's admin gets its extra page here: the registered SourceAdmin is
extended and registered again. Their templates link to these pages only when they exist.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext

from commitments.models import Actor, Commitment
from commitments.services import PartySpec
from common.admin import ServiceAdmin, form_add_refusal
from common.services import VersionConflict
from config.api.export import csv_streaming_response
from config.api.filters import MAX_BIGINT, is_id_text
from intake.extraction import MAX_CANDIDATES, MAX_SENTENCE_CHARS, MAX_TEXT_CHARS
from intake.forms import CandidateForm, StatusImportUploadForm
from intake.languages import READ as READ_LANGUAGES
from intake.languages import language_name, unread_message
from intake.models import ActorAlias, ImportState, StatusImport
from intake.selectors import suggestions_stored
from intake.services import (
    AcceptedCandidate,
    actor_alias_create,
    actor_alias_delete,
    candidate_accept,
    candidate_cite_on,
    candidate_record_status,
    source_suggestions_fail,
    source_suggestions_request,
    status_import_apply,
    status_import_check,
    status_import_create,
    status_import_fail,
    status_import_progress_key,
    status_import_start_apply,
)
from intake.status_csv import EXPORT_COLUMNS, status_review_columns
from intake.tasks import (
    source_suggestions_compute_task,
    status_import_apply_task,
    status_import_check_task,
)
from sources.models import Source

# Files of up to this many changes are checked and applied in the request; larger ones on a
# Celery worker, with progress shown.
INLINE_ROWS = getattr(settings, "INTAKE_IMPORT_INLINE_ROWS", 100)
ADMIN_CSS = {"all": ["common/admin.css"]}


# --- "Suggest commitments" on a source's page ---------------------------------------------------


class IntakeSourceAdmin(type(admin.site._registry[Source])):
    class Media:
        css = ADMIN_CSS
        js = ["common/quote_picker.js", "intake/suggest.js"]

    def get_urls(self):
        return [
            path(
                "<path:object_id>/suggest/",
                self.admin_site.admin_view(self.suggest_view),
                name="sources_source_suggest",
            ),
            *super().get_urls(),
        ]

    def _suggest_redirect(self, request, obj, fallback):
        if "_suggest" in request.POST:
            return HttpResponseRedirect(reverse("admin:sources_source_suggest", args=[obj.pk]))
        return fallback

    def response_add(self, request, obj, post_url_continue=None):
        return self._suggest_redirect(
            request, obj, super().response_add(request, obj, post_url_continue)
        )

    def response_change(self, request, obj):
        return self._suggest_redirect(request, obj, super().response_change(request, obj))

    def suggest_view(self, request, object_id):
        if not request.user.has_perm("commitments.add_commitment"):
            raise PermissionDenied
        source = self.get_object(request, unquote(object_id))
        if source is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if request.method == "POST" and request.POST.get("action") == "again":
            self._compute(request, source, again=True)
            return HttpResponseRedirect(request.path)
        kept = self._compute(request, source)
        # A suggestion's number points into the text it was found in, and only there.
        suggestions = (
            suggestions_stored(kept, source) if kept.text_sha256 == source.text_sha256 else []
        )
        bound = None
        if request.method == "POST":
            number_text = request.POST.get("number", "")
            number = int(number_text) if number_text.isascii() and number_text.isdigit() else 0
            key = request.POST.get("candidate", "")
            suggestion = next((s for s in suggestions if s.number == number and s.key == key), None)
            if suggestion is None:
                messages.error(
                    request,
                    gettext("The suggestions changed since the page was shown: look again."),
                )
                return HttpResponseRedirect(request.path)
            action = request.POST.get("action")
            if action in {"cite", "status"}:
                return self._cite(request, source, suggestion, status=action == "status")
            if action == "alias":
                return self._alias(request, suggestion)
            bound = CandidateForm(request.POST, prefix=f"c{number}", candidate=suggestion.candidate)
            if bound.is_valid():
                try:
                    commitment = self._accept(request, source, bound)
                except (ValidationError, VersionConflict) as error:
                    form_add_refusal(bound, error)
                else:
                    url = reverse("admin:commitments_commitment_change", args=[commitment.pk])
                    messages.success(
                        request,
                        format_html(
                            gettext('Added <a href="{url}">{commitment}</a> with its citation.'),
                            url=url,
                            commitment=commitment,
                        ),
                    )
                    return HttpResponseRedirect(f"{request.path}#candidate-{number}")
        cards = []
        for suggestion in suggestions:
            form = (
                bound
                if bound is not None and bound.prefix == f"c{suggestion.number}"
                else CandidateForm(
                    prefix=f"c{suggestion.number}",
                    candidate=suggestion.candidate,
                    initial=CandidateForm.initial_for(
                        suggestion.candidate, announced_on=source.published_on
                    ),
                )
            )
            cards.append((suggestion, form))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Suggest commitments"),
            "subtitle": str(source),
            "opts": self.opts,
            "original": source,
            "source": source,
            "kept": kept,
            "extent": kept.extent or {},
            "language_name": language_name(kept.extent["language"])
            if (kept.extent or {}).get("language")
            else "",
            "language_unread": unread_message(language)
            if (language := (kept.extent or {}).get("language", "en")) not in READ_LANGUAGES
            else "",
            "limits": {
                "text_chars": MAX_TEXT_CHARS,
                "sentence_chars": MAX_SENTENCE_CHARS,
                "candidates": MAX_CANDIDATES,
                "seconds": settings.INTAKE_SUGGEST_SOFT_TIME_LIMIT,
            },
            "cards": cards,
            "media": self.media + cards[0][1].media if cards else self.media,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/intake/suggest.html", context)

    def _compute(self, request, source, *, again: bool = False):
        """The kept suggestions; a computation on the worker when they are missing or stale
        (or staff ask again), enqueued once this request has committed."""
        kept, start = source_suggestions_request(source=source, again=again)
        if start:

            def enqueue():
                try:
                    source_suggestions_compute_task.delay(source.pk, kept.attempt)
                except Exception as error:  # the broker is down: say so on the page
                    source_suggestions_fail(
                        source_id=source.pk,
                        attempt=kept.attempt,
                        message=f"The task queue could not be reached ({error}): try again.",
                    )

            transaction.on_commit(enqueue)
        return kept

    @transaction.atomic
    def _accept(self, request, source, form) -> Commitment:
        data = form.cleaned_data
        actors = Actor.objects.in_bulk([actor_id for actor_id, _ in form.parties()])
        commitment = candidate_accept(
            source=source,
            accepted=AcceptedCandidate(
                reference=data["reference"].strip(),
                title=data["title"].strip(),
                kind=data["kind"],
                status=data["status"],
                deadline=data["deadline"],
                quote=data["quote"],
                announced_on=data["announced_on"],
                is_published=data["is_published"],
                parties=[PartySpec(actors[pk], role) for pk, role in form.parties()],
            ),
            created_by=request.user,
        )
        commitment_admin = self.admin_site._registry[Commitment]
        commitment_admin.log_addition(
            request,
            commitment,
            gettext("Added from “%(title)s” with the extraction assistant.")
            % {"title": source.title},
        )
        return commitment

    def _cite(self, request, source, suggestion, *, status: bool = False):
        """Cite the passage on the chosen commitment; with `status`, record the status the
        passage supports there too, in one step."""
        chosen = request.POST.get("commitment", "")
        commitment = (
            Commitment.objects.filter(pk=int(chosen)).first()
            if is_id_text(chosen) and int(chosen) <= MAX_BIGINT
            else None
        )
        if commitment is None:
            messages.error(request, gettext("That commitment no longer exists."))
            return HttpResponseRedirect(request.path)
        new_status = suggestion.change_for(commitment) if status else None
        if status and new_status is None:
            messages.error(
                request,
                gettext("%(reference)s: this passage records nothing new there; cite it instead.")
                % {"reference": commitment.reference},
            )
            return HttpResponseRedirect(f"{request.path}#candidate-{suggestion.number}")
        try:
            if status:
                change = candidate_record_status(
                    commitment=commitment,
                    source=source,
                    quote=suggestion.candidate.quote,
                    status=new_status,
                    recorded_by=request.user,
                )
            else:
                candidate_cite_on(
                    commitment=commitment,
                    source=source,
                    quote=suggestion.candidate.quote,
                    created_by=request.user,
                )
        except (ValidationError, VersionConflict) as error:
            messages.error(request, f"{commitment.reference}: {' '.join(_messages(error))}")
        else:
            done = (
                gettext("Recorded “%(status)s” from “%(title)s” (extraction assistant).")
                % {"status": change.get_new_status_display(), "title": source.title}
                if status
                else gettext("Cited “%(title)s” (extraction assistant).") % {"title": source.title}
            )
            self.admin_site._registry[Commitment].log_change(request, commitment, done)
            url = reverse("admin:commitments_commitment_change", args=[commitment.pk])
            messages.success(
                request,
                format_html(
                    gettext(
                        'Recorded “{status}” on <a href="{url}">{commitment}</a>, with this '
                        "passage as the evidence."
                    )
                    if status
                    else gettext('Cited this passage on <a href="{url}">{commitment}</a>.'),
                    url=url,
                    commitment=commitment,
                    status=change.get_new_status_display() if status else "",
                ),
            )
        return HttpResponseRedirect(f"{request.path}#candidate-{suggestion.number}")

    def _alias(self, request, suggestion):
        """A spelling the passage uses for a known actor ("Chakiyev"), kept as its alias."""
        if not request.user.has_perm("intake.add_actoralias"):
            raise PermissionDenied
        words = request.POST.get("words", "")
        mention = next(
            (
                m
                for m in suggestion.candidate.actors
                if m.is_variant
                and m.words == words
                and str(m.actor.pk) == request.POST.get("actor")
            ),
            None,
        )
        if mention is None:
            messages.error(
                request, gettext("The suggestions changed since the page was shown: look again.")
            )
            return HttpResponseRedirect(request.path)
        try:
            actor_alias_create(actor=mention.actor, alias=mention.words)
        except ValidationError as error:
            messages.error(request, " ".join(_messages(error)))
        else:
            messages.success(
                request,
                gettext("“%(alias)s” is now an alias of %(actor)s.")
                % {"alias": mention.words, "actor": mention.actor},
            )
        return HttpResponseRedirect(f"{request.path}#candidate-{suggestion.number}")


def _messages(error: Exception) -> list[str]:
    return getattr(error, "messages", [str(error)])


admin.site.unregister(Source)
admin.site.register(Source, IntakeSourceAdmin)


# --- actor aliases --------------------------------------------------------------------------


@admin.register(ActorAlias)
class ActorAliasAdmin(ServiceAdmin):
    list_display = ("alias", "actor")
    search_fields = ("alias", "actor__name", "actor__short_name")
    autocomplete_fields = ("actor",)
    fields = ("actor", "alias")

    def has_change_permission(self, request, obj=None):
        return False  # an alias is added or deleted, not edited

    def service_save(self, request, form, formsets, change):
        return actor_alias_create(
            actor=form.cleaned_data["actor"], alias=form.cleaned_data["alias"]
        )

    def delete_model(self, request, obj):
        actor_alias_delete(alias=obj)

    def delete_queryset(self, request, queryset):
        for alias in queryset:
            actor_alias_delete(alias=alias)


# --- "Import status changes" ----------------------------------------------------------------


@admin.register(StatusImport)
class StatusImportAdmin(admin.ModelAdmin):
    list_display = ("__str__", "state", "created_by", "created_at", "applied_by", "applied_at")
    list_filter = ("state",)
    date_hierarchy = "created_at"

    class Media:
        css = ADMIN_CSS

    def has_add_permission(self, request):
        return request.user.has_perm("commitments.record_status_change")

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("commitments.record_status_change")

    def has_delete_permission(self, request, obj=None):
        return False  # the record of who imported what stays

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("export/", view(self.export_view), name="intake_statusimport_export"),
            path(
                "<int:object_id>/progress/",
                view(self.progress_view),
                name="intake_statusimport_progress",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request):
        """The commitment list, as filtered on its admin page, as a status-review CSV."""
        commitment_admin = self.admin_site._registry[Commitment]
        if not commitment_admin.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = commitment_admin.get_changelist_instance(request)
        except IncorrectLookupParameters:
            messages.error(
                request, gettext("These filters are not the commitment list's: nothing exported.")
            )
            return HttpResponseRedirect(reverse("admin:commitments_commitment_changelist"))
        rows = changelist.get_queryset(request).order_by("reference").values(*EXPORT_COLUMNS[:6])
        return csv_streaming_response(rows, status_review_columns(), filename="status-review.csv")

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = StatusImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                status_import = status_import_create(
                    csv_text=form.cleaned_data["file"],
                    file_name=request.FILES["file"].name,
                    created_by=request.user,
                )
            except ValidationError as error:
                form_add_refusal(form, error)
            else:
                self._run(request, status_import, status_import_check, status_import_check_task)
                return HttpResponseRedirect(
                    reverse("admin:intake_statusimport_change", args=[status_import.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import status changes"),
            "opts": self.opts,
            "form": form,
            "export_url": reverse("admin:intake_statusimport_export"),
            "columns": EXPORT_COLUMNS,
            "inline_rows": INLINE_ROWS,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/intake/status_import_upload.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        status_import = self.get_object(request, unquote(object_id))
        if status_import is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, status_import):
            raise PermissionDenied
        if request.method == "POST" and "apply" in request.POST:
            if not self.has_change_permission(request, status_import):
                raise PermissionDenied
            try:
                status_import = status_import_start_apply(
                    status_import=status_import, applied_by=request.user
                )
            except ValidationError as error:
                messages.error(request, " ".join(_messages(error)))
            else:
                self._run(request, status_import, status_import_apply, status_import_apply_task)
            return HttpResponseRedirect(request.path)
        outcome = status_import.outcome or {}
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Status import %(id)s") % {"id": status_import.pk},
            "subtitle": status_import.file_name,
            "opts": self.opts,
            "original": status_import,
            "status_import": status_import,
            "changes": outcome.get("changes", []),
            "refusals": outcome.get("refusals", []),
            "error": outcome.get("error"),
            "progress": self._progress(status_import),
            "can_apply": status_import.state == ImportState.PREVIEWED
            and not outcome.get("refusals")
            and self.has_change_permission(request, status_import),
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/intake/status_import.html", context)

    def has_module_permission(self, request):
        return self.has_change_permission(request)

    def progress_view(self, request, object_id):
        status_import = self.get_object(request, str(object_id))
        if status_import is None:
            return JsonResponse({"detail": "No such import."}, status=404)
        if not self.has_view_permission(request, status_import):
            raise PermissionDenied
        return JsonResponse(
            {
                "state": status_import.state,
                "running": status_import.is_running,
                **self._progress(status_import),
            }
        )

    def _progress(self, status_import) -> dict:
        done = (cache.get(status_import_progress_key(status_import.pk)) or {}).get("done", 0)
        total = status_import.row_count or 1
        return {
            "done": done,
            "total": status_import.row_count,
            "percent": min(100, 100 * done // total),
        }

    def _run(self, request, status_import, service, task) -> None:
        """Small files in the request; large ones on a worker, once the request committed."""
        if status_import.row_count <= INLINE_ROWS:
            service(status_import_id=status_import.pk)
            return

        def enqueue():
            try:
                task.delay(status_import.pk)
            except Exception as error:  # the broker is down: say so, write nothing
                status_import_fail(
                    status_import_id=status_import.pk,
                    message=f"The task queue could not be reached ({error}); upload it again.",
                )

        transaction.on_commit(enqueue)
        messages.info(
            request,
            ngettext(
                "%(count)s row: a worker is on it. This page follows its progress.",
                "%(count)s rows: a worker is on it. This page follows its progress.",
                status_import.row_count,
            )
            % {"count": status_import.row_count},
        )
