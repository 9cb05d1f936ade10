"""Serializer building blocks for writes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from django.db import models
from rest_framework import serializers

from common.text import CONTROL_CHARACTER
from common.translations import LANGUAGE_CODES, Origin, translated_fields


class StrictFieldsMixin:
    """A body field the serializer does not know is a 400 naming it, not silently dropped
    (a misspelt `titel` must not look like a successful edit).

    `tolerated_fields` are ignored instead: the read-only fields of the resource's own
    representation, so that a client may PUT back what it got.
    """

    tolerated_fields: frozenset[str] = frozenset()

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields) - set(self.tolerated_fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Unknown field."] for name in unknown}, code="unknown_field"
                )
        return super().to_internal_value(data)


class StrictSerializer(StrictFieldsMixin, serializers.Serializer):
    pass


class StrictBooleanField(serializers.BooleanField):
    """JSON `true` or `false` only. DRF's BooleanField also takes strings ("yes", "off", "0"):
    a client that sends `"is_published": "no"` has a bug it should hear about, not a guess."""

    default_error_messages = {"invalid": "Must be true or false (a JSON boolean), not {input!r}."}

    def to_internal_value(self, data):
        if data is True or data is False:
            return data
        self.fail("invalid", input=data)


class StrictIntegerField(serializers.IntegerField):
    """A whole number: a JSON integer, or its ASCII digits in a query string. DRF's field also
    takes "5.0" and "1e3" as numbers, which the schema's `integer` does not."""

    def to_internal_value(self, data):
        is_whole = isinstance(data, int) and not isinstance(data, bool)
        if not is_whole and not (
            isinstance(data, str) and re.fullmatch(r"-?[0-9]{1,20}", data.strip())
        ):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictTextMixin:
    """A JSON string only. DRF's text fields (CharField and its subclasses: slug, URL, email…)
    also take numbers and booleans and write them as text: a `"title": 12.5` or `"tags": [0]`
    is a client's bug, not text."""

    # A key of its own: SlugField and others word their "invalid" for a malformed string.
    default_error_messages = {
        "not_a_string": "Must be a string, not {input_type}.",
        "control_character": "Holds a control character ({character} at position "
        "{position}): feeds and calendars cannot carry it.",
    }

    def __init__(self, *args, allow_control_characters: bool = False, **kwargs):
        # A source's text is kept as published (a PDF's form feeds included): never in a feed.
        self.allow_control_characters = allow_control_characters
        super().__init__(*args, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string", input_type=type(data).__name__)
        found = None if self.allow_control_characters else CONTROL_CHARACTER.search(data)
        if found:
            self.fail(
                "control_character",
                character=f"U+{ord(found.group()):04X}",
                position=found.start() + 1,
            )
        return super().to_internal_value(data)


_DRF_MAPPING = serializers.ModelSerializer.serializer_field_mapping
# DRF's text field classes (CharField, SlugField, URLField, EmailField…), each made strict.
STRICT_TEXT_FIELDS = {
    field_class: type(f"Strict{field_class.__name__}", (StrictTextMixin, field_class), {})
    for field_class in dict.fromkeys(_DRF_MAPPING.values())
    if issubclass(field_class, serializers.CharField)
}
StrictCharField = STRICT_TEXT_FIELDS[serializers.CharField]


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A record referred to by its id: a whole number (or its digits as a string). DRF's field
    passes anything on to the query, so `1.5` found record 1 and `1e400` (infinity) was a 500."""

    def to_internal_value(self, data):
        is_whole = isinstance(data, int) and not isinstance(data, bool)
        if not is_whole and not (isinstance(data, str) and data.isascii() and data.isdigit()):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class StrictModelSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A write body made of model fields (names from a FieldRegistry): an unknown field is a
    400, booleans are JSON booleans, text is JSON strings, related records are whole-number
    ids."""

    serializer_related_field = IdRelatedField
    # Every model field DRF writes through a text field (char, text, slug, URL, email, IP
    # address…) gets the strict version of that field; an ArrayField's items too (`tags`).
    serializer_field_mapping = {
        model_field: STRICT_TEXT_FIELDS.get(field_class, field_class)
        for model_field, field_class in _DRF_MAPPING.items()
    } | {models.BooleanField: StrictBooleanField}


def translations_serializer(model: type[models.Model]) -> serializers.Serializer:
    """The `translations` of a write to `model`, in django-parler-rest's shape: for each
    language, its text of the translated fields (common.translations) and who wrote it,
    `{"ru": {"title": "…", "origin": "source"}, …}`. English is written in the fields
    themselves; its entry may say only who wrote it."""
    return _translations_serializer_class(model)(
        required=False, help_text="Translations by language: a language left out is kept."
    )


@cache  # one class a model: the schema names it once
def _translations_serializer_class(model: type[models.Model]) -> type[serializers.Serializer]:
    fields = translated_fields(model)
    language_fields = {
        name: STRICT_TEXT_FIELDS[serializers.CharField](
            max_length=model._meta.get_field(name).max_length,
            allow_blank=True,
            required=False,
            help_text="Empty (or only spaces) removes the translation.",
        )
        for name in fields
    }
    language_fields["origin"] = serializers.ChoiceField(
        choices=Origin.choices,
        required=False,
        allow_null=True,
        help_text="'source' when the source itself gives this text, 'project' (the default) "
        "when the tracker translated it; null: as it was (for English: the original).",
    )
    language_class = type(
        f"{model.__name__}TranslationSerializer",
        (StrictSerializer,),
        {
            **language_fields,
            "__module__": __name__,
            "__doc__": f"A {model._meta.verbose_name}'s text in one language.",
        },
    )
    return type(
        f"{model.__name__}TranslationsSerializer",
        (StrictSerializer,),
        {
            **{language: language_class(required=False) for language in LANGUAGE_CODES},
            "__module__": __name__,
            "__doc__": "Its text in each language, with who wrote it.",
        },
    )
