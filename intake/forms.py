"""Admin forms of the intake: shapes for the services' arguments; the services decide."""

from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from commitments.choices import CommitmentKind, PartyRole, Status
from commitments.deadlines import ACCEPTED_FORMS, deadline_parse
from commitments.services import evidence_quote_problem
from intake.extraction import Candidate

NOT_A_PARTY = ""


class CandidateForm(forms.Form):
    """One candidate as staff accept it: every field prefilled from the text, all editable."""

    reference = forms.CharField(
        max_length=50, label=_("Reference"), help_text=_("A new reference, e.g. TM-2025-07.")
    )
    title = forms.CharField(max_length=300, label=_("Title"))
    kind = forms.ChoiceField(choices=CommitmentKind.choices, label=_("Kind"))
    status = forms.ChoiceField(
        choices=Status.choices, label=_("Status"), help_text=_("As the quote states it.")
    )
    deadline = forms.CharField(
        max_length=200,
        required=False,
        label=_("Deadline"),
        help_text=format_lazy("{} {}", _("Empty when there is none."), ACCEPTED_FORMS),
    )
    announced_on = forms.DateField(required=False, label=_("Announced on"), widget=AdminDateWidget)
    quote = forms.CharField(
        label=_("Quote"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "quote-input"}),
        help_text=_("Select a passage in the source's text to replace it."),
    )
    is_published = forms.BooleanField(
        required=False, label=_("Publish now"), help_text=_("Leave unticked to keep it a draft.")
    )

    def __init__(self, *args, candidate: Candidate, **kwargs):
        super().__init__(*args, **kwargs)
        self.mentions = candidate.actors
        for mention in candidate.actors:
            self.fields[f"party_{mention.actor.pk}"] = forms.ChoiceField(
                label=str(mention.actor),
                choices=[(NOT_A_PARTY, gettext("not a party")), *PartyRole.choices],
                required=False,
                initial=mention.role,
                help_text=gettext("Named as “%(words)s”.") % {"words": mention.words},
            )

    @classmethod
    def initial_for(cls, candidate: Candidate, *, announced_on) -> dict:
        return {
            "title": candidate.title,
            "kind": candidate.kind,
            "status": candidate.status,
            "deadline": candidate.deadline.deadline.text if candidate.deadline else "",
            "announced_on": announced_on,
            "quote": candidate.quote,
        }

    def clean_deadline(self) -> str:
        value = self.cleaned_data["deadline"].strip()
        if value:
            deadline_parse(value)  # the refusal lists the accepted forms
        return value

    def clean_quote(self) -> str:
        value = self.cleaned_data["quote"]
        problem = evidence_quote_problem(value)  # the services' rule, said before they run
        if problem:
            raise forms.ValidationError(problem)
        return value

    def party_fields(self):
        return [self[name] for name in self.fields if name.startswith("party_")]

    def parties(self) -> list[tuple[int, str]]:
        """(actor id, role) for every actor staff kept as a party."""
        return [
            (mention.actor.pk, self.cleaned_data[f"party_{mention.actor.pk}"])
            for mention in self.mentions
            if self.cleaned_data.get(f"party_{mention.actor.pk}")
        ]


class StatusImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns reference, new_status, effective_on (YYYY-MM-DD), source_id, quote and "
            "optionally note, reason (for stalled or abandoned) and replaced_by (a reference); "
            "other columns are ignored. Rows without a new_status are left out."
        ),
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                gettext("The file is not UTF-8 text: save it as CSV UTF-8.")
            ) from None
