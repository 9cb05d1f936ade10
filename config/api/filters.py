"""Filter building blocks: strict values, several values per filter, unknown values refused.

Every filter here turns a value it does not understand into a 400 naming the filter (through
django-filter's form errors), never a 500 and never a silently ignored filter. Filters that
take several values accept them repeated (`?status=a&status=b`) or comma-separated
(`?status=a,b`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Hashable, Iterable
from typing import ClassVar

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Model, Q, QuerySet
from django_filters.fields import ModelMultipleChoiceField
from drf_spectacular.utils import extend_schema_field

MAX_BIGINT = 2**63 - 1


def is_id_text(text: str) -> bool:
    """Is this query text a database id? ASCII digits only: str.isdigit() is also true of
    '³' and other Unicode digits, which int() refuses."""
    return text.isascii() and text.isdigit()


SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


# Spaces around a value are dropped; nothing else is (Python's str.strip() would also take
# control characters such as \x1c for space, and `?role=%1C` would read as no filter at all).
SPACES = " \t\r\n"


def split_values(data, name: str) -> list[str]:
    """The values of a filter; an empty one (`?status=`) is no value, as in django-filter."""
    values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
    return [
        part.strip(SPACES)
        for value in values
        if value
        for part in str(value).split(",")
        if part.strip(SPACES)
    ]


class CommaSeparatedMultipleWidget(forms.SelectMultiple):
    """Values repeated, comma-separated, or both."""

    def value_from_datadict(self, data, files, name):
        return split_values(data, name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data


class MultipleValueField(forms.Field):
    """A list of strings, each checked by `item_pattern` (if given); [] when absent."""

    widget = CommaSeparatedMultipleWidget

    def __init__(self, *, item_pattern: re.Pattern | None = None, item_hint: str = "", **kwargs):
        self.item_pattern = item_pattern
        self.item_hint = item_hint
        super().__init__(**kwargs)

    def to_python(self, value) -> list[str]:
        if not value:
            return []
        items = list(value) if isinstance(value, list | tuple) else [value]
        for item in items:
            ProhibitNullCharactersValidator()(item)
            if self.item_pattern is not None and not self.item_pattern.match(item):
                # The value goes in params, never into the message: django-filter %-formats
                # messages, and a value may contain a '%'.
                raise ValidationError(
                    f"%(value)r is not a valid value. {self.item_hint}".strip(),
                    code="invalid",
                    params={"value": item},
                )
        return items


class StrictBooleanField(forms.Field):
    TRUE = frozenset({"true", "1", "yes"})
    FALSE = frozenset({"false", "0", "no"})

    def to_python(self, value) -> bool | None:
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValidationError(
            "%(value)r is not a boolean: use true or false.",
            code="invalid",
            params={"value": value},
        )


class StrictBooleanFilter(django_filters.BooleanFilter):
    """true/false (also 1/0, yes/no); anything else is a 400, never 'no filter'."""

    field_class = StrictBooleanField


class MultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    """One or several of a fixed vocabulary (any of them matches)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", CommaSeparatedMultipleWidget)
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


class IdOrSlugMultipleField(MultipleValueField):
    """Ids or slugs of existing rows of `queryset`; an unknown one is an error naming it."""

    def __init__(self, *, queryset: QuerySet, slug_field: str, noun: str, **kwargs):
        self.queryset = queryset
        self.slug_field = slug_field
        self.noun = noun
        kwargs.setdefault("item_pattern", SLUG)
        kwargs.setdefault("item_hint", f"Give a {noun}'s id or {slug_field}.")
        super().__init__(**kwargs)

    def clean(self, value) -> list[Model]:
        items = super().clean(value)
        if not items:
            return []
        ids = {int(item) for item in items if is_id_text(item) and int(item) <= MAX_BIGINT}
        slugs = {item for item in items if not is_id_text(item)}
        found = list(self.queryset.filter(Q(pk__in=ids) | Q(**{f"{self.slug_field}__in": slugs})))
        known = {str(row.pk) for row in found} | {getattr(row, self.slug_field) for row in found}
        missing = [item for item in items if item not in known]
        if missing:
            raise ValidationError(
                f"No {self.noun} with id or {self.slug_field} %(missing)s.",
                code="invalid_choice",
                params={"missing": ", ".join(repr(m) for m in missing)},
            )
        return found


ARRAY_OF_STRINGS = {"type": "array", "items": {"type": "string"}}


@extend_schema_field(ARRAY_OF_STRINGS)
class IdOrSlugMultipleFilter(django_filters.Filter):
    """Rows referred to by id or slug; the filter `method` receives the model instances."""

    field_class = IdOrSlugMultipleField

    def filter(self, qs, value):
        raise NotImplementedError("give IdOrSlugMultipleFilter a `method`")


class IdMultipleField(ModelMultipleChoiceField):
    def clean(self, value):
        # Django answers "none given" with an empty queryset, which filter methods cannot
        # tell from "none matched"; an empty list is "no filter".
        if not value:
            return []
        return super().clean(value)


# Multiple-choice filters are documented as arrays of their item type: the item is declared.
@extend_schema_field({"type": "integer"})
class IdMultipleFilter(django_filters.ModelMultipleChoiceFilter):
    """Rows referred to by id (NetBox's `thing_id`); an unknown id is an error naming it."""

    field_class = IdMultipleField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", CommaSeparatedMultipleWidget)
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


@extend_schema_field(ARRAY_OF_STRINGS)
class StringsFilter(django_filters.Filter):
    """Several strings, each matching `item_pattern`; the filter `method` receives the list."""

    field_class = MultipleValueField


# The tag and country filters of the commitment list and of the alerts feed: the same values,
# the same errors.
ISO_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
COUNTRY_HINT = "Use an ISO 3166-1 alpha-2 code such as TM."
# Filters on the parties of a commitment, applied together to one party: `actor=x&role=partner`
# is x *as* a partner.
PARTY_FILTERS = ("actor", "actor_id", "role", "country")


def tag_filter(*, help_text: str) -> StringsFilter:
    """Tags (slugs); the FilterSet's `filter_tag` method applies them."""
    return StringsFilter(
        item_pattern=SLUG,
        item_hint="A tag is a slug such as `cybersecurity`.",
        method="filter_tag",
        help_text=help_text,
    )


def country_filter(*, help_text: str) -> StringsFilter:
    """ISO 3166-1 alpha-2 codes of the parties' actors, any case (one of PARTY_FILTERS)."""
    return StringsFilter(item_pattern=ISO_COUNTRY, item_hint=COUNTRY_HINT, help_text=help_text)


def _filter_copy(filter_: django_filters.Filter) -> django_filters.Filter:
    """A filter of its own for one FilterSet: what the FilterSet sets on it (`model`,
    `parent`, the `extra` a field is built from) is its own, the rest is shared."""
    copied = copy.copy(filter_)
    copied.extra = dict(filter_.extra)
    if filter_.method is not None:
        copied.method = filter_.method  # binds the method to the copy, not to the original
    return copied


class _FiltersCopiedShallowly(dict):
    """The declared filters, which django-filter deep-copies per FilterSet (every list
    request: querysets, widgets and choices included) although only the attributes the
    FilterSet sets on each filter differ from one request to the next."""

    def __deepcopy__(self, memo) -> dict:
        return {name: _filter_copy(filter_) for name, filter_ in self.items()}


class _FieldsCopiedShallowly(dict):
    """A cached filter form's fields, which Django deep-copies per form. A filter form is
    only cleaned, never changed, so each form gets its own field objects sharing their
    widgets, querysets and validators."""

    def __deepcopy__(self, memo) -> dict:
        return {name: copy.copy(field) for name, field in self.items()}


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet with its form class built once per variant, not per request.

    django-filter makes a new form class, and a form field per filter, for every FilterSet it
    makes: every list request. The fields depend only on the declarations and, where a
    FilterSet says so in `form_variant()`, on who asks; Django deep-copies a form class's
    fields per form, so sharing the class between requests is safe.
    """

    _form_classes: ClassVar[dict[tuple, type]] = {}

    def form_variant(self) -> Hashable:
        """What the form fields depend on besides the declarations (nothing by default)."""
        return None

    def get_form_class(self) -> type:
        key = (type(self), self.form_variant())
        form_class = FilterSet._form_classes.get(key)
        if form_class is None:
            form_class = super().get_form_class()
            form_class.base_fields = _FieldsCopiedShallowly(form_class.base_fields)
            FilterSet._form_classes[key] = form_class
        return form_class

    @classmethod
    def get_filters(cls) -> dict:
        return _FiltersCopiedShallowly(super().get_filters())


def filter_names(filterset_class) -> Iterable[str]:
    return filterset_class.base_filters.keys() if filterset_class else ()
