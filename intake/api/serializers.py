"""The assistant's suggestions as JSON: what a script sends (a text) and what it gets back (the
candidates, each with the commitments it may concern). One shape for the API and for
`manage.py suggest_commitments`."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from commitments.choices import CommitmentKind, PartyRole, Status
from config.api.serializers import IdRelatedField, StrictCharField, StrictSerializer
from intake.languages import NAMES, READ, primary_language
from intake.selectors import MATCH_LABELS
from sources.dates import partial_date_parse
from sources.models import Source

LANGUAGE_CHOICES = [(code, str(name)) for code, name in NAMES.items() if code != "und"]


class SuggestionsRequestSerializer(StrictSerializer):
    """A text to read, as published, or a source already added (its text and date). Not
    kept: nothing is written."""

    text = StrictCharField(
        required=False,
        trim_whitespace=False,
        allow_control_characters=True,
        max_length=settings.INTAKE_API_MAX_TEXT_CHARS,
        help_text="The article's text, as published. A longer one is a source to add and "
        "read in the admin, whose worker reads up to INTAKE_MAX_TEXT_CHARS.",
    )
    source = IdRelatedField(
        queryset=Source.objects.all(),
        required=False,
        help_text="Instead of `text`: the id of a source, whose text is read (and whose date "
        "and language are the defaults of the two fields below).",
    )
    published_on = StrictCharField(
        required=False,
        allow_blank=True,
        help_text="When it was published (YYYY-MM-DD, YYYY-MM or YYYY): a date of that day "
        "is when something happened, not a deadline; relative dates count from it.",
    )
    language = serializers.ChoiceField(
        choices=LANGUAGE_CHOICES,
        required=False,
        help_text="The text's language, when it is known; detected from the text otherwise.",
    )

    def validate_published_on(self, value: str):
        try:
            return partial_date_parse(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error

    def validate_text(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("The text is only whitespace: send the article.")
        return value

    def validate(self, data: dict) -> dict:
        if ("text" in data) == ("source" in data):
            raise serializers.ValidationError(
                {"text": ["Send the article's `text`, or the id of a `source`: one of the two."]}
            )
        return data

    @property
    def reading(self) -> dict:
        """What intake.selectors.suggestions_answer reads, from the valid data."""
        data = self.validated_data
        source = data.get("source")
        if source is None:
            return {
                "text": data["text"],
                "published": data.get("published_on"),
                "language": data.get("language"),
            }
        return {
            "text": source.text,
            "published": data.get("published_on", source.published_on),
            "language": data.get("language"),
            "default_language": primary_language(source.language),
        }


class DeadlinePhraseSerializer(serializers.Serializer):
    """A deadline as the sentence words it, parsed into the period it names."""

    words = serializers.CharField(help_text="The words the deadline was read from.")
    edtf = serializers.CharField(
        source="deadline.edtf", help_text="The period as an EDTF date or interval."
    )
    first_day = serializers.DateField(source="deadline.first_day")
    last_day = serializers.DateField(source="deadline.last_day")


class KnownActorSerializer(serializers.Serializer):
    """An actor on record that the sentence names, and how it names it."""

    slug = serializers.CharField(source="actor.slug")
    name = serializers.CharField(source="actor.name", help_text="In the reader's language.")
    words = serializers.CharField(help_text="As the sentence names it.")
    role = serializers.ChoiceField(choices=PartyRole.choices, help_text="A first guess.")
    variant = serializers.BooleanField(
        source="is_variant",
        help_text="The words are a near spelling or an acronym of the actor's name, not one "
        "of its names: staff may add them as an alias.",
    )


class CandidateActorsSerializer(serializers.Serializer):
    """Who the sentence names: actors on record, and names that are none of them."""

    known = KnownActorSerializer(many=True, source="actors", help_text="Actors on record.")
    new = serializers.ListField(
        child=serializers.CharField(),
        source="new_names",
        help_text="Names in the sentence that are no actor on record: a first guess.",
    )


class MatchSerializer(serializers.Serializer):
    """A commitment on record the sentence may report on, and the change it supports."""

    id = serializers.IntegerField(
        source="related.commitment.pk",
        help_text="What a status change is posted to: /commitments/{id}/status-changes/.",
    )
    reference = serializers.CharField(source="related.commitment.reference")
    title = serializers.CharField(source="related.commitment.title")
    score = serializers.FloatField(source="related.score", help_text="0 to 1.")
    label = serializers.ChoiceField(
        source="related.label",
        choices=[(label, label) for label in MATCH_LABELS],
        help_text="`probably` at a score of 0.5 or more, else `maybe`.",
    )
    status_change = serializers.ChoiceField(
        choices=Status.choices,
        allow_null=True,
        help_text="The status the sentence supports for this commitment, when that is a "
        "change (null when it says nothing new of it).",
    )


class CandidateSerializer(serializers.Serializer):
    """A sentence that reads like a commitment or a status event, with what it says."""

    number = serializers.IntegerField(help_text="1-based, in the order of the text.")
    quote = serializers.CharField(source="candidate.quote", help_text="Verbatim.")
    start = serializers.IntegerField(source="candidate.start", help_text="Offset in the text.")
    language = serializers.CharField(source="candidate.language")
    title = serializers.CharField(
        source="candidate.title", help_text="A name for it, in the text's language."
    )
    kind = serializers.ChoiceField(source="candidate.kind", choices=CommitmentKind.choices)
    status = serializers.ChoiceField(choices=Status.choices, help_text="What the sentence says.")
    deadline = DeadlinePhraseSerializer(source="candidate.deadline", allow_null=True)
    actors = CandidateActorsSerializer(source="candidate")
    matches = MatchSerializer(
        many=True, source="related_changes", help_text="Existing commitments, best first."
    )


class SuggestionsSerializer(serializers.Serializer):
    """What the assistant reads in a text."""

    language = serializers.CharField(help_text="The text's: as given, or as detected.")
    language_name = serializers.CharField(help_text="In the reader's language.")
    read = serializers.BooleanField(
        help_text=f"Whether the assistant reads that language ({', '.join(READ)})."
    )
    more_candidates = serializers.BooleanField(
        help_text="Whether the text held more candidates than the answer lists "
        "(INTAKE_MAX_CANDIDATES): split it to see the rest."
    )
    timed_out = serializers.BooleanField(
        help_text="Whether the time limit (INTAKE_API_TIME_LIMIT seconds) stopped the "
        "reading before the end of the text: the candidates are those found by then."
    )
    message = serializers.CharField(
        allow_null=True,
        help_text="In the reader's language: why there are no candidates (a language the "
        "assistant does not read) or why there may be more (the time limit); else null.",
    )
    candidates = CandidateSerializer(many=True)
