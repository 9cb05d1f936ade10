"""The commitment's representation and the bodies of staff writes, from commitments/fields.py.

Reads nest brief objects (NetBox style): a party's actor {id, slug, name, kind}, a citation's
source {id, title, publisher}. Writes refer to other records by id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from commitments import progress
from commitments.choices import (
    REASON_MAPPINGS,
    STATUS_MAPPINGS,
    ClaimFact,
    PartyRole,
    Status,
    StatusReason,
    StatusSource,
)
from commitments.fields import ACTOR_FIELDS, COMMITMENT_FIELDS
from commitments.models import Actor, Citation, Claim, ClaimResolution, Commitment, Party
from common.json_sql import (
    PagePathField,
    RecordUrlField,
    RowFunctionField,
    TranslationsField,
    TranslationStateField,
)
from config.api.serializers import (
    IdRelatedField,
    StrictCharField,
    StrictModelSerializer,
    StrictSerializer,
    translations_serializer,
)
from sources.models import Source

if TYPE_CHECKING:
    from commitments.history import HistoryEntry

# --- reads ------------------------------------------------------------------------------------


def commitment_api_url_field() -> RecordUrlField:
    """`api_url`: the commitment in this API, by id (the canonical URL)."""
    return RecordUrlField(
        url_name="commitment-detail",
        help_text="The commitment in this API (absolute URL, by id: the canonical one).",
    )


def commitment_page_field() -> PagePathField:
    """`html_url`: the commitment's public page (pages/), relative to the API's origin."""
    return PagePathField(
        url_name="pages:commitment",
        kwarg="reference",
        source="reference",
        help_text="The commitment's public page, for people (a path on this server).",
    )


class ActorBriefSerializer(serializers.ModelSerializer):
    """An actor in short: fetch `/actors/{id}/` (or by slug) for the rest."""

    translation = TranslationStateField()

    class Meta:
        model = Actor
        fields = ["id", "slug", "name", "kind", "translation"]
        read_only_fields = fields


class SourceBriefSerializer(serializers.ModelSerializer):
    """A source in short: fetch `/sources/{id}/` for its full text."""

    api_url = RecordUrlField(
        url_name="source-detail",
        help_text="The source in this API (absolute URL). Not `url`: a source's `url` is the "
        "address it was published at.",
    )
    translation = TranslationStateField()

    class Meta:
        model = Source
        fields = ["id", "title", "publisher", "translation", "api_url"]
        read_only_fields = fields


class CitationSerializer(serializers.ModelSerializer):
    """A quote from a source that the commitment rests on; it occurs in the source's text."""

    source = SourceBriefSerializer(read_only=True)

    class Meta:
        model = Citation
        fields = ["id", "source", "quote", "note", "created_at"]
        read_only_fields = fields


class CitationBriefSerializer(serializers.ModelSerializer):
    """The citation a claim or a resolution rests on: a quote and its source."""

    source = SourceBriefSerializer(read_only=True)

    class Meta:
        model = Citation
        fields = ["id", "source", "quote"]
        read_only_fields = fields


class PartySerializer(serializers.ModelSerializer):
    """An actor and the role it plays in the commitment; a party that acts (responsible,
    partner) may carry its own status, with its evidence ("" and null while it has none)."""

    actor = ActorBriefSerializer(read_only=True)
    status_evidence = CitationBriefSerializer(
        read_only=True, allow_null=True, help_text="The evidence of the party's own status."
    )

    class Meta:
        model = Party
        fields = ["actor", "role", "status", "status_since", "status_reason", "status_evidence"]
        read_only_fields = fields


class PartyBriefSerializer(serializers.ModelSerializer):
    """A party in short: its actor and role."""

    actor = ActorBriefSerializer(read_only=True)

    class Meta:
        model = Party
        fields = ["actor", "role"]
        read_only_fields = fields


class ClaimSerializer(serializers.ModelSerializer):
    """A fact a citation states: for a date fact an EDTF value and the days it covers (null
    for an open end), else text."""

    citation = CitationBriefSerializer(read_only=True)

    class Meta:
        model = Claim
        fields = ["id", "fact", "value", "first_day", "last_day", "note", "citation", "created_at"]
        read_only_fields = fields


class ClaimResolutionSerializer(serializers.ModelSerializer):
    """Which claim the project follows on a disputed fact; the latest per fact applies."""

    evidence = CitationBriefSerializer(read_only=True)

    class Meta:
        model = ClaimResolution
        fields = ["id", "fact", "followed_claim", "note", "evidence", "recorded_at"]
        read_only_fields = fields


class DeadlineSerializer(serializers.Serializer):
    """A deadline is a period: the words of the source, its EDTF value, its first and last
    day. A commitment is overdue from the day after the last day."""

    # Reads `text`, `edtf`, … of a dict, or, with `column_prefix`, the columns named so of the
    # object itself (a commitment's `deadline_text`, …); null when there is no last day.

    null_unless = "last_day"

    text = serializers.CharField(help_text="As the source stated it, e.g. 'in November 2024'.")
    edtf = serializers.CharField(help_text="EDTF (ISO 8601-2), e.g. '2024-11' or '2025/2027'.")
    first_day = serializers.DateField()
    last_day = serializers.DateField(help_text="The day it is due; overdue from the next day.")

    def __init__(self, *args, column_prefix: str = "", **kwargs):
        self.column_prefix = column_prefix
        if column_prefix:
            kwargs.setdefault("source", "*")
        super().__init__(*args, **kwargs)

    def to_representation(self, instance):
        if self.column_prefix:
            instance = {name: getattr(instance, self.column_prefix + name) for name in self.fields}
        if instance.get(self.null_unless) is None:
            return None
        return super().to_representation(instance)


@extend_schema_field(
    {
        "type": ["object", "null"],
        "description": "A programme's progress, derived from its published milestones in the "
        "same query (null without milestones): each adds its `progress_weight` times its "
        "status's share (completed 1, partially completed 0.5, others 0).",
        "properties": {
            "milestones": {"type": "integer"},
            "weight": {"type": "integer"},
            "percent": {"type": "number", "minimum": 0, "maximum": 100},
            "by_status": {
                "type": "object",
                "properties": {status: {"type": "integer"} for status in Status.values},
                "required": list(Status.values),
            },
        },
        "required": ["milestones", "weight", "percent", "by_status"],
    }
)
class ProgressField(RowFunctionField):
    def __init__(self, **kwargs):
        super().__init__(function=progress.FUNCTION, **kwargs)


class CommitmentSerializer(serializers.ModelSerializer):
    """One thing proposed or promised: its status, its deadline (a period), the parties and
    their roles, and the citations, claims and resolutions it rests on. Lists and details
    show the same fields."""

    # The fields of COMMITMENT_FIELDS, in its order; the list and the detail send the same
    # JSON, written by PostgreSQL (common.json_sql).

    deadline = DeadlineSerializer(column_prefix="deadline_", read_only=True, allow_null=True)
    parties = PartySerializer(many=True, read_only=True)
    progress = ProgressField()
    citations = CitationSerializer(many=True, read_only=True)
    claims = ClaimSerializer(many=True, read_only=True)
    resolutions = ClaimResolutionSerializer(many=True, read_only=True)
    translation = TranslationStateField()
    api_url = commitment_api_url_field()
    html_url = commitment_page_field()

    class Meta:
        model = Commitment
        fields = [
            *COMMITMENT_FIELDS.representation(),
            "progress",
            "translation",
            "api_url",
            "html_url",
        ]
        read_only_fields = fields


class CommitmentStaffSerializer(CommitmentSerializer):
    """A commitment as staff read it: with every language's text (`translations`), as
    writes take it."""

    translations = TranslationsField()

    class Meta(CommitmentSerializer.Meta):
        fields = [*CommitmentSerializer.Meta.fields, "translations"]
        read_only_fields = fields


class CommitmentBriefSerializer(serializers.ModelSerializer):
    """A commitment in short: fetch `/commitments/{id}/` for the rest."""

    translation = TranslationStateField()
    api_url = commitment_api_url_field()

    class Meta:
        model = Commitment
        fields = ["id", "reference", "title", "status", "is_overdue", "translation", "api_url"]
        read_only_fields = fields


class ActorSerializer(serializers.ModelSerializer):
    """A person, government body, country, international organisation or company."""

    translation = TranslationStateField()

    class Meta:
        model = Actor
        fields = [*ACTOR_FIELDS.representation(), "translation"]
        read_only_fields = fields


class ActorCommitmentSerializer(serializers.Serializer):
    """One role of the actor in one commitment."""

    commitment = CommitmentBriefSerializer(read_only=True)
    role = serializers.ChoiceField(choices=PartyRole.choices, read_only=True)
    status = serializers.ChoiceField(
        choices=Status.choices,
        allow_blank=True,
        read_only=True,
        help_text='The actor\'s own part, when it carries one (else "").',
    )


class ActorDetailSerializer(ActorSerializer):
    """An actor with the commitments it is a party to."""

    commitments = ActorCommitmentSerializer(
        source="visible_parties",
        many=True,
        read_only=True,
        help_text="The commitments it is a party to (published ones unless you are staff), "
        "one entry per role.",
    )

    kept = serializers.SerializerMethodField(
        help_text="What the actor kept: its own parts of the commitments listed, per status "
        "(statuses of its parts; parts without a status are not counted)."
    )

    class Meta(ActorSerializer.Meta):
        fields = [*ActorSerializer.Meta.fields, "commitments", "kept"]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "properties": {status: {"type": "integer"} for status in Status.values},
            "required": list(Status.values),
        }
    )
    def get_kept(self, actor: Actor) -> dict:
        counts = dict.fromkeys(Status.values, 0)
        for party in actor.visible_parties:
            if party.status:
                counts[party.status] += 1
        return counts


class StatusSerializer(serializers.Serializer):
    """One status of the vocabulary and how it reads in others' vocabularies."""

    value = serializers.ChoiceField(choices=Status.choices)
    label = serializers.CharField()
    is_final = serializers.BooleanField(help_text="A final status is never overdue.")
    description = serializers.CharField()
    politifact = serializers.CharField(help_text="PolitiFact's promise meter.")
    ogp_irm = serializers.CharField(help_text="OGP Independent Reporting Mechanism completion.")
    icalendar = serializers.CharField(help_text="iCalendar VTODO STATUS (RFC 5545).")

    @staticmethod
    def vocabulary() -> list[dict]:
        return [
            {
                "value": value,
                "label": mapping.status.label,
                "is_final": mapping.is_final,
                "description": mapping.description,
                "politifact": mapping.politifact,
                "ogp_irm": mapping.ogp_irm,
                "icalendar": mapping.icalendar,
            }
            for value, mapping in STATUS_MAPPINGS.items()
        ]


class ReasonSerializer(serializers.Serializer):
    """A reason a commitment stalled or was abandoned, and how the OGP IRM names it."""

    value = serializers.ChoiceField(choices=StatusReason.choices)
    label = serializers.CharField()
    description = serializers.CharField()
    needs_replaced_by = serializers.BooleanField(
        help_text="A status change with this reason names the other commitment (`replaced_by`)."
    )
    ogp_irm = serializers.CharField(
        allow_blank=True, help_text="OGP IRM's word for it, where it has one."
    )

    @staticmethod
    def vocabulary() -> list[dict]:
        return [
            {
                "value": value,
                "label": mapping.reason.label,
                "description": mapping.description,
                "needs_replaced_by": mapping.needs_related,
                "ogp_irm": mapping.ogp_irm,
            }
            for value, mapping in REASON_MAPPINGS.items()
        ]


class EvidenceSerializer(serializers.Serializer):
    """What a change rests on: the citation, its source and the quote."""

    citation_id = serializers.IntegerField()
    source = SourceBriefSerializer()
    quote = serializers.CharField()


class HistoryEntrySerializer(serializers.Serializer):
    """A status change (`kind` "status"), a party's own status change ("party_status") or a
    deadline change ("deadline")."""

    kind = serializers.ChoiceField(
        choices=[("status", "status"), ("party_status", "party_status"), ("deadline", "deadline")]
    )
    version = serializers.IntegerField(
        allow_null=True,
        help_text="The commitment's version after the change (null for a party's change).",
    )
    party = PartyBriefSerializer(
        allow_null=True, help_text="Party status changes only: whose part; else null."
    )
    effective_on = serializers.DateField()
    recorded_at = serializers.DateTimeField()
    old_status = serializers.ChoiceField(
        choices=Status.choices, allow_null=True, help_text="Status changes only; else null."
    )
    new_status = serializers.ChoiceField(
        choices=Status.choices, allow_null=True, help_text="Status changes only; else null."
    )
    note = serializers.CharField(allow_blank=True)
    old_deadline = DeadlineSerializer(
        allow_null=True, help_text="Deadline changes only: null when there was none."
    )
    new_deadline = DeadlineSerializer(
        allow_null=True, help_text="Deadline changes only: null when it was removed."
    )
    reason = serializers.CharField(allow_blank=True, help_text="Deadline changes only.")
    status_reason = serializers.ChoiceField(
        choices=StatusReason.choices,
        allow_blank=True,
        help_text='Status changes to stalled or abandoned: why (else "").',
    )
    replaced_by = serializers.IntegerField(
        allow_null=True, help_text="Superseded or merged: the other commitment's id."
    )
    evidence = EvidenceSerializer()

    def to_representation(self, entry: HistoryEntry):
        change = entry.change
        is_status = entry.kind in ("status", "party_status")
        is_party = entry.kind == "party_status"

        def deadline(prefix: str) -> dict | None:
            if is_status or getattr(change, f"{prefix}_last_day") is None:
                return None
            return {
                "text": getattr(change, f"{prefix}_text"),
                "edtf": getattr(change, f"{prefix}_edtf"),
                "first_day": getattr(change, f"{prefix}_first_day"),
                "last_day": getattr(change, f"{prefix}_last_day"),
            }

        return super().to_representation(
            {
                "kind": entry.kind,
                "version": None if is_party else change.version,
                "party": change.party if is_party else None,
                "effective_on": change.effective_on,
                "recorded_at": change.recorded_at,
                "old_status": (change.old_status or None) if is_status else None,
                "new_status": change.new_status if is_status else None,
                "note": change.note if is_status else "",
                "old_deadline": deadline("old"),
                "new_deadline": deadline("new"),
                "reason": "" if is_status else change.reason,
                "status_reason": change.reason if is_status else "",
                "replaced_by": getattr(change, "replaced_by_id", None),
                "evidence": {
                    "citation_id": change.evidence_id,
                    "source": change.evidence.source,
                    "quote": change.evidence.quote,
                },
            }
        )


# --- writes -----------------------------------------------------------------------------------

EVIDENCE_SOURCE = {
    "required": "This change needs evidence: the id of the source it is based on.",
    "does_not_exist": "No source with id {pk_value}.",
}
EVIDENCE_QUOTE = {
    "required": "This change needs evidence: a quote from the source.",
    "blank": "This change needs evidence: a quote from the source.",
}


class PartyWriteSerializer(StrictSerializer):
    """An actor, by id, and the role it plays. Its own status, which GET shows, may be sent
    back as it was: it changes only through party-status-changes/."""

    tolerated_fields = frozenset({"status", "status_since", "status_reason", "status_evidence"})

    actor = IdRelatedField(queryset=Actor.objects.all(), help_text="The actor's id.")
    role = serializers.ChoiceField(choices=PartyRole.choices)

    def to_internal_value(self, data):
        # What GET returns ({"actor": {"id": …}, …}) may be sent back as it is.
        if isinstance(data, dict) and isinstance(data.get("actor"), dict):
            data = {**data, "actor": data["actor"].get("id")}
        return super().to_internal_value(data)


class CitationWriteSerializer(StrictSerializer):
    """A quote from a source: it must occur in the source's text."""

    source = IdRelatedField(queryset=Source.objects.all(), help_text="The source's id.")
    quote = StrictCharField(
        help_text="Must occur in the source's text (whitespace is folded before comparing)."
    )
    note = StrictCharField(max_length=500, allow_blank=True, required=False, default="")


# The schema's maxItems; the service refuses more too (the admin writes through it).
TAGS_CAPPED = {"tags": {"max_length": settings.COMMITMENT_TAGS_MAX}}


class CommitmentCreateSerializer(StrictModelSerializer):
    """A new commitment: its fields, and what the cited evidence says when it is entered
    (its status, its deadline) with the citations themselves. A field not listed is a 400."""

    status = serializers.ChoiceField(
        choices=Status.choices,
        required=False,
        default=Status.PROPOSED,
        help_text="What the cited evidence supports now; later changes are status changes.",
    )
    deadline = StrictCharField(
        allow_null=True,
        allow_blank=True,
        required=False,
        default=None,
        max_length=200,
        help_text="EDTF or words: '2024-11', 'in November 2024', 'for 2025-2027', '2027~'.",
    )
    parties = PartyWriteSerializer(many=True, required=False, default=list)
    citations = CitationWriteSerializer(many=True, required=False, default=list)
    translations = translations_serializer(Commitment)

    class Meta:
        model = Commitment
        fields = [*COMMITMENT_FIELDS.editable, "status", "deadline", "citations", "translations"]
        extra_kwargs = TAGS_CAPPED


class CommitmentUpdateSerializer(StrictModelSerializer):
    """PUT (all of reference, title, kind) or PATCH (any). Status and deadline change only
    with evidence, through status-changes/ and deadline-changes/; the rest of what GET returned
    may be sent back as it was. A field the commitment does not have is a 400."""

    # What GET returns (links included) that is not editable.
    tolerated_fields = frozenset(CommitmentSerializer.Meta.fields) - set(COMMITMENT_FIELDS.editable)

    parties = PartyWriteSerializer(
        many=True, required=False, help_text="When given, replaces all parties."
    )
    translations = translations_serializer(Commitment)

    class Meta:
        model = Commitment
        fields = [*COMMITMENT_FIELDS.editable, "translations"]
        extra_kwargs = TAGS_CAPPED

    def refused_changes(self) -> dict:
        """`status` / `deadline` in the body that differ from the current ones: the service
        refuses them with the reason (they need evidence)."""
        data = self.initial_data if isinstance(self.initial_data, dict) else {}
        commitment: Commitment = self.instance
        refused = {}
        if "status" in data and data["status"] != commitment.status:
            refused["status"] = data["status"]
        if "deadline" in data:
            sent = data["deadline"]
            if isinstance(sent, dict):  # the object GET returned
                sent = sent.get("text")
            if (sent or "") != commitment.deadline_text:
                refused["deadline"] = data["deadline"]
        return refused


class StatusChangeCreateSerializer(StrictSerializer):
    """A new status, when it took effect, and the evidence: a source and a quote that occurs
    in its text."""

    status = serializers.ChoiceField(choices=Status.choices, help_text="The new status.")
    effective_on = serializers.DateField(help_text="When it took effect (not in the future).")
    note = StrictCharField(allow_blank=True, required=False, default="")
    reason = serializers.ChoiceField(
        choices=StatusReason.choices,
        required=False,
        help_text="Required for stalled and abandoned, refused for the others (see "
        "`/reasons/`); `other` is explained in `note`.",
    )
    replaced_by = IdRelatedField(
        queryset=Commitment.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="With reason `superseded` or `merged` (and only then): the other "
        "commitment's id.",
    )
    source = IdRelatedField(queryset=Source.objects.all(), error_messages=EVIDENCE_SOURCE)
    quote = StrictCharField(
        error_messages=EVIDENCE_QUOTE, help_text="Must occur in the source's text."
    )


class PartyStatusChangeCreateSerializer(StrictSerializer):
    """A party's own status: which party (its actor, and its role when it has two), the new
    status, when, and the evidence, as for the commitment's."""

    actor = IdRelatedField(queryset=Actor.objects.all(), help_text="The party's actor (id).")
    role = serializers.ChoiceField(
        choices=PartyRole.choices,
        required=False,
        default=None,
        help_text="The party's role; needed only when the actor has two acting roles here.",
    )
    status = serializers.ChoiceField(choices=Status.choices, help_text="The party's new status.")
    effective_on = serializers.DateField(help_text="When it took effect (not in the future).")
    note = StrictCharField(allow_blank=True, required=False, default="")
    reason = serializers.ChoiceField(
        choices=StatusReason.choices,
        required=False,
        help_text="Required for stalled and abandoned; a party's part is never superseded "
        "or merged on its own.",
    )
    source = IdRelatedField(queryset=Source.objects.all(), error_messages=EVIDENCE_SOURCE)
    quote = StrictCharField(
        error_messages=EVIDENCE_QUOTE, help_text="Must occur in the source's text."
    )


class StatusSourceSerializer(StrictSerializer):
    """Where the status comes from: `parties` (derived from the acting parties' own statuses,
    once each has one) or `recorded` (the last status staff recorded, which then wins)."""

    status_source = serializers.ChoiceField(choices=StatusSource.choices)


class DeadlineChangeCreateSerializer(StrictSerializer):
    """A new deadline (or none), why it moved, when, and the evidence: a source and a quote
    that occurs in its text."""

    deadline = StrictCharField(
        allow_null=True,
        allow_blank=True,
        max_length=200,
        help_text="The new deadline, EDTF or words; null or empty removes it.",
    )
    # Blank passes here so that the service names it together with a bad deadline.
    reason = StrictCharField(allow_blank=True, help_text="Why it moved (required).")
    effective_on = serializers.DateField(help_text="When it took effect (not in the future).")
    source = IdRelatedField(queryset=Source.objects.all(), error_messages=EVIDENCE_SOURCE)
    quote = StrictCharField(
        error_messages=EVIDENCE_QUOTE, help_text="Must occur in the source's text."
    )


class CitationCreateSerializer(StrictSerializer):
    """A quote from a source to cite on the commitment: it must occur in the source's text."""

    source = IdRelatedField(queryset=Source.objects.all(), help_text="The source's id.")
    quote = StrictCharField(help_text="Must occur in the source's text.")
    note = StrictCharField(max_length=500, allow_blank=True, required=False, default="")


class ClaimCreateSerializer(StrictSerializer):
    """A fact a quote states about the commitment (a date, its status, a budget, …), with
    the source and the quote."""

    fact = serializers.ChoiceField(choices=ClaimFact.choices, help_text="What the quote states.")
    value = StrictCharField(
        max_length=200,
        help_text="For a date fact, EDTF ('2015', '2020-03-14', '2024-11', '../2015' on or "
        "before, '2020-03-14/..' on or after) or words ('on March 14, 2020'); for a status, "
        "a status of the vocabulary; else text.",
    )
    note = StrictCharField(max_length=500, allow_blank=True, required=False, default="")
    source = IdRelatedField(queryset=Source.objects.all(), error_messages=EVIDENCE_SOURCE)
    quote = StrictCharField(
        error_messages=EVIDENCE_QUOTE,
        help_text="Must occur in the source's text; it becomes a citation if it is not one.",
    )


class DisputeResolutionCreateSerializer(StrictSerializer):
    """Which claim to follow on a disputed fact, why, and the evidence for the choice."""

    followed_claim = IdRelatedField(
        queryset=Claim.objects.all(),
        help_text="The id of the claim the project follows, on a fact its sources dispute.",
    )
    # Blank passes here so that the service names it together with other refusals.
    note = StrictCharField(allow_blank=True, help_text="Why this claim is followed.")
    source = IdRelatedField(queryset=Source.objects.all(), error_messages=EVIDENCE_SOURCE)
    quote = StrictCharField(
        error_messages=EVIDENCE_QUOTE, help_text="The evidence for the choice; in the source."
    )
