from __future__ import annotations

from rest_framework import serializers

from config.api.serializers import StrictSerializer
from sources.choices import SourceKind
from sources.models import Source


class SourceSerializer(serializers.ModelSerializer):
    """A source in lists: everything but the full text."""

    class Meta:
        model = Source
        fields = [
            "id",
            "title",
            "publisher",
            "author",
            "url",
            "published",
            "published_on",
            "kind",
            "language",
            "text_sha256",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SourceDetailSerializer(SourceSerializer):
    """One source, with its full text; `text_sha256` is the SHA-256 of that text (UTF-8)."""

    class Meta(SourceSerializer.Meta):
        fields = [*SourceSerializer.Meta.fields, "text"]
        read_only_fields = fields


class SourceWriteSerializer(StrictSerializer):
    """Create (POST, the required fields) or change (PUT/PATCH) a source."""

    tolerated_fields = frozenset({"id", "published_on", "text_sha256", "created_at", "updated_at"})

    title = serializers.CharField(max_length=500)
    kind = serializers.ChoiceField(choices=SourceKind.choices)
    text = serializers.CharField(
        trim_whitespace=False, help_text="The full text, exactly as published."
    )
    publisher = serializers.CharField(max_length=300, allow_blank=True, required=False)
    author = serializers.CharField(max_length=300, allow_blank=True, required=False)
    url = serializers.URLField(max_length=1000, allow_null=True, allow_blank=True, required=False)
    published = serializers.CharField(
        max_length=10,
        allow_blank=True,
        required=False,
        help_text="Partial date: YYYY-MM-DD, YYYY-MM, YYYY, or empty when unknown.",
    )
    language = serializers.CharField(
        max_length=35, required=False, help_text="BCP 47 language tag (default en)."
    )
