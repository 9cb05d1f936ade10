from __future__ import annotations

from rest_framework import serializers

from common.json_sql import TranslationsField, TranslationStateField
from config.api.serializers import StrictModelSerializer, translations_serializer
from sources.fields import SOURCE_FIELDS
from sources.models import Source


class SourceSerializer(serializers.ModelSerializer):
    """A document evidence is quoted from, as lists show it: all but its full text."""

    # Everything SOURCE_FIELDS shows but the text.

    translation = TranslationStateField()

    class Meta:
        model = Source
        fields = [
            *(name for name in SOURCE_FIELDS.representation() if name != "text"),
            "translation",
        ]
        read_only_fields = fields


class SourceDetailSerializer(SourceSerializer):
    """One source, with its full text; `text_sha256` is the SHA-256 of that text (UTF-8)."""

    class Meta(SourceSerializer.Meta):
        fields = [*SOURCE_FIELDS.representation(), "translation"]
        read_only_fields = fields


class SourceStaffDetailSerializer(SourceDetailSerializer):
    """One source as staff read it: with its title in every language (`translations`)."""

    translations = TranslationsField()

    class Meta(SourceDetailSerializer.Meta):
        fields = [*SourceDetailSerializer.Meta.fields, "translations"]
        read_only_fields = fields


class SourceWriteSerializer(StrictModelSerializer):
    """Create (POST, the required fields) or change (PUT/PATCH) a source. The rest of what
    GET returned may be sent back as it was; a field a source does not have is a 400."""

    tolerated_fields = frozenset(SOURCE_FIELDS.representation()) - set(SOURCE_FIELDS.editable)

    translations = translations_serializer(Source)

    class Meta:
        model = Source
        fields = [*SOURCE_FIELDS.editable, "translations"]
        extra_kwargs = {
            "text": {
                "trim_whitespace": False,
                "allow_control_characters": True,
                "help_text": "The full text, exactly as published.",
            }
        }
