"""A serializer's output written by PostgreSQL, from SQL generated out of the serializer.

The hottest reads (a page of commitments) would otherwise build a model instance per row,
party and citation and call Python per value; PostgreSQL builds the same JSON in the page's
own query. The SQL is generated from the serializer's fields, so the serializer stays the one
definition of the shape, and tests hold the two outputs to each other value for value.

Understood: model fields by `source` (timestamps written as DRF writes them, in UTC), the id
of a foreign key, nested serializers of a foreign key or of a reverse relation (ordered as
the related model's Meta.ordering), and a nested serializer of the same row (`source="*"`),
which may read its fields from columns named with a `column_prefix` and name in `null_unless`
the field whose null makes it null, a `PagePathField` (a page's path built from a column) and
a `RecordUrlField` (a record's absolute API URL built from its id), a `RowFunctionField` (the
json a database function computes from the row's id). A translated field
(common.translations) is written in the active language, falling back to English as its
Python descriptor does, and `TranslationStateField` / `TranslationsField` say what the
reader was given and every language's text.
Anything else is an ImproperlyConfigured naming the field.
"""

from __future__ import annotations

import json
from functools import cache
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import connection
from django.db.models import DateTimeField, ForeignKey, IntegerField, ManyToOneRel, Model
from django.urls import reverse
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.links import public_origin
from common.translations import (
    BASE_LANGUAGE,
    LANGUAGE_CODES,
    localized,
    reader_language,
    translated_fields,
    translation_state,
    translations_of,
)

# Values PostgreSQL's json writes as DRF does (booleans, numbers, text, ISO dates, arrays).
PLAIN_FIELDS = (
    serializers.BooleanField,
    serializers.CharField,
    serializers.ChoiceField,
    serializers.DateField,
    serializers.IntegerField,
    serializers.ListField,
    serializers.ReadOnlyField,
)


class PagePathField(serializers.ReadOnlyField):
    """The path of a page whose URL holds a column's value, e.g. a commitment's public page
    `/commitments/TM-2024-04/`: the route named `url_name` with the value, percent-encoded
    (everything but ASCII letters, digits and `_.-~`), as its `kwarg`."""

    MARKER = "json-sql-value"

    def __init__(self, *, url_name: str, kwarg: str, **kwargs):
        self.url_name, self.kwarg = url_name, kwarg
        super().__init__(**kwargs)

    def around(self) -> tuple[str, str]:
        """The path's text before and after the value."""
        before, after = reverse(self.url_name, kwargs={self.kwarg: self.MARKER}).split(self.MARKER)
        return before, after

    def to_representation(self, value) -> str:
        before, after = self.around()
        return f"{before}{quote(str(value), safe='')}{after}"


class RowFunctionField(serializers.ReadOnlyField):
    """The json a function of the database computes from the row's id (a derived value with
    no stored copy, e.g. a programme's progress: commitments/progress.py)."""

    def __init__(self, *, function: str, **kwargs):
        self.function = function
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, instance):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {_quote(self.function)}(%s)::text", [instance.pk])
            value = cursor.fetchone()[0]
        return None if value is None else json.loads(value)


@extend_schema_field(OpenApiTypes.URI)
class RecordUrlField(PagePathField):
    """A record's absolute API URL, e.g. `https://…/api/v1/sources/12/`: the route named
    `url_name` with the record's id, on the service's public address (common.links). In SQL a
    concatenation of constants and the id column, so it costs no join."""

    def __init__(self, *, url_name: str, source: str = "id", **kwargs):
        super().__init__(url_name=url_name, kwarg="pk", source=source, **kwargs)

    def around(self) -> tuple[str, str]:
        before, after = super().around()
        return public_origin() + before, after


@extend_schema_field(
    {
        "type": "object",
        "description": "What this object's translated fields are given in: the language "
        "asked for, who wrote that translation ('project': translated by the tracker, "
        "'source': as the source gave it, null: the original), and the fields given in "
        "English because they have no translation.",
        "properties": {
            "language": {"type": "string", "enum": list(LANGUAGE_CODES)},
            "origin": {"type": ["string", "null"], "enum": ["project", "source", None]},
            "fallback": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["language", "origin", "fallback"],
    }
)
class TranslationStateField(serializers.Field):
    """`translation`: the language the translated fields beside it (in the same serializer)
    are in: the active one, or English where they have no translation."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def shown(self, model: type[Model]) -> tuple[str, ...]:
        """The translated fields of `model` its serializer shows."""
        sources = {field.source for field in self.parent.fields.values()}
        return tuple(name for name in translated_fields(model) if name in sources)

    def to_representation(self, instance) -> dict:
        return translation_state(instance, reader_language(), self.shown(type(instance)))


@extend_schema_field(
    {
        "type": "object",
        "description": "Staff only: every language's text of the translated fields, with "
        "who wrote it (`origin`), as writes take it.",
        "additionalProperties": {
            "type": "object",
            "additionalProperties": {"type": ["string", "null"]},
        },
    }
)
class TranslationsField(serializers.Field):
    """`translations`: every language's text of the object's translated fields, with who
    wrote it, as writes take it (for staff). Not required in the schema: others do not get
    it. Never written through: writes have their own `translations` serializer."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", required=False)
        super().__init__(**kwargs)

    def to_representation(self, instance) -> dict:
        return translations_of(instance)


def json_sql(
    serializer_class: type[serializers.Serializer], alias: str, *, language: str | None = None
) -> str:
    """A SQL expression of type json: `serializer_class`'s output for the row of its model's
    table aliased `alias`, in `language` (by default the active one)."""
    # The public address is written into the SQL: generated again if a setting changes it.
    language = language or reader_language()
    return _json_sql(serializer_class, alias, public_origin(), language)


@cache
def _json_sql(
    serializer_class: type[serializers.Serializer], alias: str, origin: str, language: str
) -> str:
    if settings.TIME_ZONE != "UTC":
        raise ImproperlyConfigured("json_sql writes timestamps in UTC, as DRF does under UTC.")
    # In `language`: the pages' paths written into it (PagePathField) carry its prefix.
    with translation.override(language):
        return _object_sql(
            serializer_class(), serializer_class.Meta.model, alias, language=language
        )


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _column(alias: str, column: str) -> str:
    return f"{_quote(alias)}.{_quote(column)}"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _object_sql(
    serializer: serializers.Serializer,
    model: type[Model],
    alias: str,
    prefix: str = "",
    *,
    language: str,
) -> str:
    pairs = ", ".join(
        f"{_literal(name)}, {_field_sql(field, model, alias, prefix, language)}"
        for name, field in serializer.fields.items()
    )
    return f"json_build_object({pairs})"


def _iso_utc(column: str) -> str:
    """A timestamptz as DRF writes it: ISO 8601 in UTC with "Z", microseconds only when there
    are some (Python's isoformat())."""
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (
        f"""to_char({utc}, 'YYYY-MM-DD"T"HH24:MI:SS') """
        f"""|| CASE WHEN date_trunc('second', {utc}) = {utc} THEN '' """
        f"""ELSE to_char({utc}, '.US') END || 'Z'"""
    )


# What Python's quote(value, safe="") leaves as it is.
_UNRESERVED = "'^[A-Za-z0-9_.~-]*$'"


def _percent_encoded(column: str) -> str:
    """`column` as urllib.parse.quote(value, safe="") writes it: the value itself when nothing
    needs encoding (almost always), else each other character as its UTF-8 bytes in %XX.
    chr(37) is "%": a literal percent sign would be read as a query placeholder."""
    encoded = (
        "(SELECT string_agg(CASE WHEN ch ~ " + _UNRESERVED + " THEN ch ELSE "
        "upper(regexp_replace(encode(convert_to(ch, 'UTF8'), 'hex'), '(..)', chr(37) || '\\1', "
        "'g')) END, '' ORDER BY n) "
        f"FROM regexp_split_to_table({column}, '') WITH ORDINALITY AS chars(ch, n))"
    )
    return f"CASE WHEN {column} ~ {_UNRESERVED} THEN {column} ELSE {encoded} END"


def _order_by(model: type[Model], alias: str) -> str:
    terms = []
    for name in model._meta.ordering:
        column = model._meta.get_field(name.lstrip("-")).column
        terms.append(_column(alias, column) + (" DESC" if name.startswith("-") else ""))
    return f" ORDER BY {', '.join(terms)}" if terms else ""


def _text_sql(model: type[Model], alias: str, name: str, language: str) -> str:
    """A translated field in `language`, else in English (an empty text is no text)."""
    english = _column(alias, model._meta.get_field(localized(name, BASE_LANGUAGE)).column)
    if language == BASE_LANGUAGE:
        return f"coalesce({english}, '')"
    own = _column(alias, model._meta.get_field(localized(name, language)).column)
    return f"coalesce(nullif({own}, ''), {english}, '')"


def _origin_sql(model: type[Model], alias: str, language: str, fields: tuple[str, ...]) -> str:
    """common.translations.origin_of in SQL."""
    given = f"({_column(alias, 'translation_origins')} ->> {_literal(language)})"
    if language == BASE_LANGUAGE:
        return given
    has_text = " OR ".join(
        f"nullif({_column(alias, localized(name, language))}, '') IS NOT NULL" for name in fields
    )
    return f"coalesce({given}, CASE WHEN {has_text} THEN 'project' END)"


def translation_state_sql(model: type[Model], alias: str) -> str:
    """TranslationStateField's SQL (json) for the row of `model` aliased `alias`, of all its
    translated fields, in the active language: for exports that read rows, not instances."""
    return _translation_state_sql(model, alias, reader_language(), translated_fields(model))


def _translation_state_sql(
    model: type[Model], alias: str, language: str, fields: tuple[str, ...]
) -> str:
    """common.translations.translation_state in SQL."""
    if language == BASE_LANGUAGE:
        fallback = "'[]'::json"
    else:
        missing = ", ".join(
            f"CASE WHEN nullif({_column(alias, localized(name, language))}, '') IS NULL "
            f"AND nullif({_column(alias, localized(name, BASE_LANGUAGE))}, '') IS NOT NULL "
            f"THEN {_literal(name)} END"
            for name in fields
        )
        fallback = f"to_json(array_remove(ARRAY[{missing}]::text[], NULL))"
    return (
        f"json_build_object('language', {_literal(language)}, "
        f"'origin', {_origin_sql(model, alias, language, fields)}, 'fallback', {fallback})"
    )


def _translations_sql(model: type[Model], alias: str) -> str:
    """common.translations.translations_of in SQL."""
    per_language = []
    for language in LANGUAGE_CODES:
        texts = ", ".join(
            f"{_literal(name)}, coalesce({_column(alias, localized(name, language))}, '')"
            for name in translated_fields(model)
        )
        origin = _origin_sql(model, alias, language, translated_fields(model))
        per_language.append(f"{_literal(language)}, json_build_object({texts}, 'origin', {origin})")
    return f"json_build_object({', '.join(per_language)})"


def _field_sql(
    field: serializers.Field, model: type[Model], alias: str, prefix: str, language: str
) -> str:
    where = f"{model._meta.label}: the serializer field {field.field_name!r}"
    if prefix and isinstance(field, serializers.BaseSerializer):
        raise ImproperlyConfigured(f"{where} nests a serializer in a column_prefix one.")
    if isinstance(field, serializers.ListSerializer):
        relation = model._meta.get_field(field.source)
        if not isinstance(relation, ManyToOneRel):
            raise ImproperlyConfigured(f"{where} is a list of something other than a relation.")
        related, inner = relation.related_model, f"{alias}_{field.field_name}"
        item = _object_sql(field.child, related, inner, language=language)
        return (
            f"coalesce((SELECT json_agg({item}{_order_by(related, inner)}) "
            f"FROM {_quote(related._meta.db_table)} {_quote(inner)} "
            f"WHERE {_column(inner, relation.field.column)} = "
            f"{_column(alias, model._meta.pk.column)}), '[]')"
        )
    if isinstance(field, serializers.Serializer):
        if field.source == "*":
            inner_prefix = getattr(field, "column_prefix", "")
            built = _object_sql(field, model, alias, inner_prefix, language=language)
            null_unless = getattr(field, "null_unless", None)
            if null_unless is None:
                return built
            null_field = model._meta.get_field(inner_prefix + field.fields[null_unless].source)
            column = _column(alias, null_field.column)
            return f"CASE WHEN {column} IS NULL THEN NULL ELSE {built} END"
        foreign_key = model._meta.get_field(field.source)
        if not isinstance(foreign_key, ForeignKey):
            raise ImproperlyConfigured(f"{where} nests something other than a foreign key.")
        related, inner = foreign_key.related_model, f"{alias}_{field.field_name}"
        return (
            f"(SELECT {_object_sql(field, related, inner, language=language)} "
            f"FROM {_quote(related._meta.db_table)} {_quote(inner)} "
            f"WHERE {_column(inner, related._meta.pk.column)} = "
            f"{_column(alias, foreign_key.column)})"
        )
    if isinstance(field, TranslationStateField):
        return _translation_state_sql(model, alias, language, field.shown(model))
    if isinstance(field, TranslationsField):
        return _translations_sql(model, alias)
    if isinstance(field, RowFunctionField):
        return f"{_quote(field.function)}({_column(alias, model._meta.pk.column)})"
    if not prefix and field.source in translated_fields(model):
        return _text_sql(model, alias, field.source, language)
    try:
        model_field = model._meta.get_field(prefix + field.source)
    except FieldDoesNotExist:
        raise ImproperlyConfigured(f"{where} reads no field of the model.") from None
    column = _column(alias, model_field.column)
    if isinstance(field, PagePathField):
        before, after = field.around()
        if "%" in before + after:  # it would be read as a query placeholder
            raise ImproperlyConfigured(f"{where}: its URL holds a '%' ({before}…{after}).")
        # A number needs no percent-encoding.
        value = f"{column}::text" if isinstance(model_field, IntegerField) else None
        value = value or _percent_encoded(column)
        return f"({_literal(before)} || {value} || {_literal(after)})"
    if isinstance(field, serializers.PrimaryKeyRelatedField):
        return column
    if isinstance(field, serializers.DateTimeField) and isinstance(model_field, DateTimeField):
        return _iso_utc(column)
    if isinstance(field, PLAIN_FIELDS) and not isinstance(field, serializers.DateTimeField):
        return column
    raise ImproperlyConfigured(f"{where} ({type(field).__name__}) has no SQL form here.")
