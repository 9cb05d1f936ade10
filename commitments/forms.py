"""Admin forms. They collect input; the services in commitments/services.py decide.

Each form here is only a shape for the service's keyword arguments: the service's refusals
(a quote missing from the source, no evidence, the same status, a date in the future, a stale
version) come back as `ValidationError`s keyed by field, or a `VersionConflict`, and the admin
puts them on the form (`common.admin.form_add_refusal`).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from commitments.choices import ACTING_ROLES, ClaimFact, Status, StatusReason
from commitments.deadlines import ACCEPTED_FORMS, deadline_parse
from commitments.fields import ACTOR_FIELDS, COMMITMENT_FIELDS
from commitments.models import Actor, Citation, Claim, Commitment, Party
from commitments.selectors import tracker_today
from commitments.services import evidence_quote_problem
from common.forms import TranslationOriginsForm, form_field_names
from sources.models import Source
from sources.selectors import source_text_contains


def _source_widget():
    # The admin's own autocomplete (select2 over SourceAdmin.search_fields), keyed on the
    # citation's source field: the same lookup as the Citation inline uses.
    return AutocompleteSelect(Citation._meta.get_field("source"), admin.site)


class EvidenceForm(forms.Form):
    """The evidence every change needs: when it took effect, a source and a quote from it."""

    effective_on = forms.DateField(
        label=_("Took effect on"),
        widget=AdminDateWidget,
        help_text=_("The date the change took effect (not today's date, unless it is)."),
    )
    source = forms.ModelChoiceField(
        queryset=Source.objects.all(),
        required=False,  # the service says "this change needs evidence", in its own words
        label=_("Source"),
        widget=_source_widget(),
        help_text=_("The document that shows the change."),
    )
    quote = forms.CharField(
        required=False,
        label=_("Quote"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=_("Copied from the source's text; line breaks and spacing do not matter."),
    )

    def __init__(self, *args, commitment: Commitment | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.commitment = commitment
        self.fields["effective_on"].initial = tracker_today


REASON_CHOICES = [("", "---------"), *StatusReason.choices]
REASON_HELP = _(
    "Stalled or abandoned only, and then required: why. “Superseded” and “merged” name the "
    "other commitment; “other” is explained in the note."
)


class StatusChangeForm(EvidenceForm):
    field_order = ["status", "reason", "replaced_by", "effective_on", "note", "source", "quote"]

    # No status is preselected: the editor picks one on purpose.
    status = forms.ChoiceField(label=_("New status"), choices=[("", "---------"), *Status.choices])
    # Not required here: the service says when one is needed, and why.
    reason = forms.ChoiceField(
        label=_("Reason"), choices=REASON_CHOICES, required=False, help_text=REASON_HELP
    )
    replaced_by = forms.ModelChoiceField(
        queryset=Commitment.objects.all(),
        required=False,
        label=_("Superseded by / merged into"),
        widget=AutocompleteSelect(Commitment._meta.get_field("replaced_by"), admin.site),
    )
    note = forms.CharField(
        required=False,
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Optional: what happened, in your words."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.commitment is not None:
            # A status change must change the status: the current one is not offered. It is
            # still accepted from a page shown before someone else changed the status, so
            # that the service refuses it in words ("already 'adopted'").
            field = self.fields["status"]
            field.widget.choices = [c for c in field.choices if c[0] != self.commitment.status]


class CommitmentStatusChangeForm(StatusChangeForm):
    """A status change for one commitment, refused if someone else changed it meanwhile."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)


class PartyStatusChangeForm(EvidenceForm):
    """A party's own status, with the same evidence as the commitment's."""

    field_order = ["party", "status", "reason", "effective_on", "note", "source", "quote"]

    party = forms.ModelChoiceField(
        queryset=Party.objects.none(),
        label=_("Party"),
        help_text=_("Only a party that acts (responsible, partner) keeps a part of its own."),
    )
    status = forms.ChoiceField(
        label=_("Its new status"), choices=[("", "---------"), *Status.choices]
    )
    reason = forms.ChoiceField(
        label=_("Reason"), choices=REASON_CHOICES, required=False, help_text=REASON_HELP
    )
    note = forms.CharField(
        required=False,
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Optional: what happened, in your words."),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.commitment is not None:
            self.fields["party"].queryset = Party.objects.filter(
                commitment=self.commitment, role__in=ACTING_ROLES
            ).select_related("actor")


class DeadlineChangeForm(EvidenceForm):
    field_order = ["deadline", "reason", "effective_on", "source", "quote"]

    deadline = forms.CharField(
        label=_("New deadline"),
        required=False,
        max_length=200,
        help_text=format_lazy("{} {}", _("Leave empty to remove the deadline."), ACCEPTED_FORMS),
    )
    reason = forms.CharField(
        required=False,  # the service's message says why a reason is needed
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Why the deadline changed."),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


class ActorAdminForm(TranslationOriginsForm):
    class Meta:
        model = Actor
        fields = form_field_names(Actor, ACTOR_FIELDS.editable)

    def clean_country(self) -> str:
        return self.cleaned_data["country"].strip().upper()  # "tm" means TM


class CommitmentAdminForm(TranslationOriginsForm):
    """The plain fields of a commitment, the translated ones in every language. Status and
    deadline need evidence: they are set only when the commitment is added (see
    CommitmentAddForm) and changed on their own pages."""

    class Meta:
        model = Commitment
        fields = form_field_names(Commitment, COMMITMENT_FIELDS.editable_columns)
        help_texts = {"tags": _("Sector slugs, separated by commas, e.g. energy,digital.")}


class CommitmentChangeForm(CommitmentAdminForm):
    # The version the editor saw; the save is refused if the commitment moved on since.
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version


class CommitmentAddForm(CommitmentAdminForm):
    """The initial status and deadline are what the cited evidence says when it is entered."""

    class Meta(CommitmentAdminForm.Meta):
        fields = [*form_field_names(Commitment, COMMITMENT_FIELDS.editable_columns), "status"]

    deadline = forms.CharField(
        required=False,
        max_length=200,
        label=_("Deadline"),
        help_text=format_lazy(
            "{} {}",
            _("As the source states it, or EDTF; leave empty when there is none."),
            ACCEPTED_FORMS,
        ),
    )

    def clean_deadline(self) -> str:
        value = self.cleaned_data["deadline"].strip()
        if value:
            deadline_parse(value)  # refuses with the accepted forms in the message
        return value


class CitationAddForm(forms.ModelForm):
    """A new citation on the commitment page. The service checks the quote again on save."""

    class Meta:
        model = Citation
        fields = ["source", "quote", "note"]
        widgets = {"quote": forms.Textarea(attrs={"rows": 2, "cols": 60})}

    def clean(self):
        cleaned = super().clean()
        source, quote = cleaned.get("source"), cleaned.get("quote")
        problem = quote and evidence_quote_problem(quote)  # the services' rule, said early
        if problem:
            self.add_error("quote", problem)
        elif source and quote and not source_text_contains(source=source, quote=quote):
            self.add_error(
                "quote",
                gettext(
                    "This quote does not occur in the source “%(title)s” (id %(id)s), even with "
                    "whitespace folded. Copy it exactly from the source's text."
                )
                % {"title": source.title, "id": source.pk},
            )
        return cleaned

    def validate_unique(self):
        # The quote is stored with its whitespace folded, and the service says "already
        # cited" in words users know; the model's MD5 constraint check would only say
        # "constraint violated".
        pass


class ClaimForm(forms.Form):
    """A fact a quote states about the commitment. The service checks the quote and the value."""

    field_order = ["fact", "value", "note", "source", "quote"]

    fact = forms.ChoiceField(label=_("Fact"), choices=[("", "---------"), *ClaimFact.choices])
    value = forms.CharField(
        max_length=200,
        label=_("Value"),
        help_text=_(
            "For a date (adopted on, in force from, deadline): EDTF such as '2015', "
            "'2020-03-14', '2024-11', '../2015' (on or before), '2020-03-14/..' (on or after), "
            "or words such as 'on March 14, 2020'. For a status: its value, e.g. 'adopted'. "
            "Else text."
        ),
    )
    note = forms.CharField(
        required=False,
        max_length=500,
        label=_("Note"),
        help_text=_("Optional: how the quote says it, when the value is read from it."),
    )
    source = forms.ModelChoiceField(
        queryset=Source.objects.all(), required=False, label=_("Source"), widget=_source_widget()
    )
    quote = forms.CharField(
        required=False,
        label=_("Quote"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=_("Copied from the source's text; it becomes a citation if it is not one yet."),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


class DisputeResolutionForm(forms.Form):
    """Which claim the project follows on a disputed fact, why, and the evidence for it."""

    field_order = ["followed_claim", "note", "source", "quote"]

    followed_claim = forms.ModelChoiceField(
        queryset=Claim.objects.none(),
        label=_("Follow the claim"),
        help_text=_("Both claims stay; this one is the project's reading."),
    )
    note = forms.CharField(
        required=False,  # the service says why a note is needed
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Why this claim is followed."),
    )
    source = forms.ModelChoiceField(
        queryset=Source.objects.all(), required=False, label=_("Source"), widget=_source_widget()
    )
    quote = forms.CharField(
        required=False,
        label=_("Quote"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=_("The evidence for this choice: a quote from any source (a third one, say)."),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, commitment: Commitment, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["followed_claim"]
        field.queryset = (
            Claim.objects.filter(commitment=commitment, fact__in=list(commitment.disputed_facts))
            .select_related("citation__source")
            .order_by("fact", "id")
        )
        field.label_from_instance = lambda claim: (
            f"{claim.get_fact_display()}: {claim.value} — {claim.citation.source.title}"
        )
