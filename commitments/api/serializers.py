"""The commitment shape of DESIGN.md ("The API (v1)") and the bodies of staff writes.

Reads nest brief objects (NetBox style): a party's actor {id, slug, name, kind}, a citation's
source {id, title, publisher}. Writes refer to other records by id.
"""

from __future__ import annotations

from rest_framework import serializers

from commitments.choices import (
    STATUS_MAPPINGS,
    CommitmentKind,
    PartyRole,
    Status,
)
from commitments.models import Actor, Citation, Commitment, Party
from commitments.selectors import HistoryEntry
from config.api.serializers import IdRelatedField, StrictBooleanField, StrictSerializer
from sources.models import Source

# --- reads ------------------------------------------------------------------------------------


class ActorBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Actor
        fields = ["id", "slug", "name", "kind"]
        read_only_fields = fields


class PartySerializer(serializers.ModelSerializer):
    actor = ActorBriefSerializer(read_only=True)

    class Meta:
        model = Party
        fields = ["actor", "role"]
        read_only_fields = fields


class SourceBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["id", "title", "publisher"]
        read_only_fields = fields


class CitationSerializer(serializers.ModelSerializer):
    source = SourceBriefSerializer(read_only=True)

    class Meta:
        model = Citation
        fields = ["id", "source", "quote", "note", "created_at"]
        read_only_fields = fields


class DeadlineSerializer(serializers.Serializer):
    """A deadline is a period: the words of the source, its EDTF value, first and last day."""

    text = serializers.CharField(help_text="As the source stated it, e.g. 'in November 2024'.")
    edtf = serializers.CharField(help_text="EDTF (ISO 8601-2), e.g. '2024-11' or '2025/2027'.")
    first_day = serializers.DateField()
    last_day = serializers.DateField(help_text="The day it is due; overdue from the next day.")


class CommitmentDeadlineField(DeadlineSerializer):
    """The commitment's own deadline columns as a DeadlineSerializer, or null."""

    def to_representation(self, commitment):
        if commitment.deadline_last_day is None:
            return None
        return super().to_representation(
            {
                "text": commitment.deadline_text,
                "edtf": commitment.deadline_edtf,
                "first_day": commitment.deadline_first_day,
                "last_day": commitment.deadline_last_day,
            }
        )


class CommitmentSerializer(serializers.ModelSerializer):
    deadline = CommitmentDeadlineField(source="*", read_only=True, allow_null=True)
    parent = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The larger programme this is a milestone of."
    )
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)
    parties = PartySerializer(many=True, read_only=True)
    citations = CitationSerializer(many=True, read_only=True)
    is_overdue = serializers.BooleanField(
        read_only=True,
        help_text="Set by the tracker: the status is not final and the deadline has passed.",
    )
    overdue_since = serializers.DateField(
        read_only=True, allow_null=True, help_text="The first day it was overdue."
    )
    version = serializers.IntegerField(
        read_only=True, help_text="Bumped by every change; the ETag follows it."
    )

    class Meta:
        model = Commitment
        fields = [
            "id",
            "reference",
            "title",
            "description",
            "kind",
            "status",
            "is_published",
            "deadline",
            "is_overdue",
            "overdue_since",
            "recurring",
            "parent",
            "tags",
            "announced_on",
            "parties",
            "citations",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CommitmentBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Commitment
        fields = ["id", "reference", "title", "status", "is_overdue"]
        read_only_fields = fields


class ActorSerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Actor
        fields = ["id", "slug", "name", "short_name", "kind", "country", "parent"]
        read_only_fields = fields


class ActorCommitmentSerializer(serializers.Serializer):
    """One role of the actor in one commitment."""

    commitment = CommitmentBriefSerializer(read_only=True)
    role = serializers.ChoiceField(choices=PartyRole.choices, read_only=True)


class ActorDetailSerializer(ActorSerializer):
    commitments = ActorCommitmentSerializer(
        source="visible_parties",
        many=True,
        read_only=True,
        help_text="The commitments it is a party to (published ones unless you are staff), "
        "one entry per role.",
    )

    class Meta(ActorSerializer.Meta):
        fields = [*ActorSerializer.Meta.fields, "commitments"]
        read_only_fields = fields


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


class EvidenceSerializer(serializers.Serializer):
    citation_id = serializers.IntegerField()
    source = SourceBriefSerializer()
    quote = serializers.CharField()


class HistoryEntrySerializer(serializers.Serializer):
    """A status change (`kind` "status") or a deadline change (`kind` "deadline")."""

    kind = serializers.ChoiceField(choices=[("status", "status"), ("deadline", "deadline")])
    version = serializers.IntegerField(help_text="The commitment's version after the change.")
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
    evidence = EvidenceSerializer()

    def to_representation(self, entry: HistoryEntry):
        change = entry.change
        is_status = entry.kind == "status"

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
                "version": change.version,
                "effective_on": change.effective_on,
                "recorded_at": change.recorded_at,
                "old_status": change.old_status if is_status else None,
                "new_status": change.new_status if is_status else None,
                "note": change.note if is_status else "",
                "old_deadline": deadline("old"),
                "new_deadline": deadline("new"),
                "reason": "" if is_status else change.reason,
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
    actor = IdRelatedField(queryset=Actor.objects.all(), help_text="The actor's id.")
    role = serializers.ChoiceField(choices=PartyRole.choices)

    def to_internal_value(self, data):
        # What GET returns ({"actor": {"id": …}, …}) may be sent back as it is.
        if isinstance(data, dict) and isinstance(data.get("actor"), dict):
            data = {**data, "actor": data["actor"].get("id")}
        return super().to_internal_value(data)


class CitationWriteSerializer(StrictSerializer):
    source = IdRelatedField(queryset=Source.objects.all(), help_text="The source's id.")
    quote = serializers.CharField(
        help_text="Must occur in the source's text (whitespace is folded before comparing)."
    )
    note = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


def _commitment_queryset():
    return Commitment.objects.all()


class CommitmentCreateSerializer(StrictSerializer):
    reference = serializers.CharField(max_length=50, help_text="Unique, e.g. 'TM-2024-04'.")
    title = serializers.CharField(max_length=300)
    kind = serializers.ChoiceField(choices=CommitmentKind.choices)
    description = serializers.CharField(allow_blank=True, required=False, default="")
    status = serializers.ChoiceField(
        choices=Status.choices,
        required=False,
        default=Status.PROPOSED,
        help_text="What the cited evidence supports now; later changes are status changes.",
    )
    deadline = serializers.CharField(
        allow_null=True,
        allow_blank=True,
        required=False,
        default=None,
        max_length=200,
        help_text="EDTF or words: '2024-11', 'in November 2024', 'for 2025-2027', '2027~'.",
    )
    recurring = StrictBooleanField(required=False, default=False)
    parent = IdRelatedField(
        queryset=_commitment_queryset(), allow_null=True, required=False, default=None
    )
    tags = serializers.ListField(
        child=serializers.SlugField(max_length=50), required=False, default=list
    )
    announced_on = serializers.DateField(allow_null=True, required=False, default=None)
    is_published = StrictBooleanField(required=False, default=False)
    parties = PartyWriteSerializer(many=True, required=False, default=list)
    citations = CitationWriteSerializer(many=True, required=False, default=list)


class CommitmentUpdateSerializer(StrictSerializer):
    """PUT (all of reference, title, kind) or PATCH (any). Status and deadline change only
    through status-changes/ and deadline-changes/, with evidence; sending them back unchanged
    (as GET returned them) is fine."""

    tolerated_fields = frozenset(
        {
            "id",
            "status",
            "deadline",
            "is_overdue",
            "overdue_since",
            "citations",
            "version",
            "created_at",
            "updated_at",
        }
    )

    reference = serializers.CharField(max_length=50)
    title = serializers.CharField(max_length=300)
    kind = serializers.ChoiceField(choices=CommitmentKind.choices)
    description = serializers.CharField(allow_blank=True, required=False)
    recurring = StrictBooleanField(required=False)
    parent = IdRelatedField(queryset=_commitment_queryset(), allow_null=True, required=False)
    tags = serializers.ListField(child=serializers.SlugField(max_length=50), required=False)
    announced_on = serializers.DateField(allow_null=True, required=False)
    is_published = StrictBooleanField(required=False)
    parties = PartyWriteSerializer(
        many=True, required=False, help_text="When given, replaces all parties."
    )

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
    status = serializers.ChoiceField(choices=Status.choices, help_text="The new status.")
    effective_on = serializers.DateField(help_text="When it took effect (not in the future).")
    note = serializers.CharField(allow_blank=True, required=False, default="")
    source = IdRelatedField(queryset=Source.objects.all(), error_messages=EVIDENCE_SOURCE)
    quote = serializers.CharField(
        error_messages=EVIDENCE_QUOTE, help_text="Must occur in the source's text."
    )


class DeadlineChangeCreateSerializer(StrictSerializer):
    deadline = serializers.CharField(
        allow_null=True,
        allow_blank=True,
        max_length=200,
        help_text="The new deadline, EDTF or words; null or empty removes it.",
    )
    # Blank passes here so that the service names it together with a bad deadline.
    reason = serializers.CharField(allow_blank=True, help_text="Why it moved (required).")
    effective_on = serializers.DateField(help_text="When it took effect (not in the future).")
    source = IdRelatedField(queryset=Source.objects.all(), error_messages=EVIDENCE_SOURCE)
    quote = serializers.CharField(
        error_messages=EVIDENCE_QUOTE, help_text="Must occur in the source's text."
    )


class CitationCreateSerializer(StrictSerializer):
    source = IdRelatedField(queryset=Source.objects.all(), help_text="The source's id.")
    quote = serializers.CharField(help_text="Must occur in the source's text.")
    note = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")
