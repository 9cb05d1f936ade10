"""Source filters (explicit FilterSet): a value a filter does not understand is a 400."""

from __future__ import annotations

import django_filters

from config.api.filters import MultipleChoiceFilter, StringsFilter
from sources.choices import LANGUAGE_TAG, SourceKind
from sources.models import Source
from sources.selectors import source_search


class SourceFilterSet(django_filters.FilterSet):
    kind = MultipleChoiceFilter(choices=SourceKind.choices, help_text="Any of these kinds.")
    language = StringsFilter(
        item_pattern=LANGUAGE_TAG,
        item_hint="Use a BCP 47 language tag such as en or ru.",
        method="filter_language",
        help_text="In one of these languages (BCP 47 tags, e.g. en).",
    )
    publisher = django_filters.CharFilter(
        lookup_expr="icontains", help_text="Part of the publisher's name (any case)."
    )
    published_after = django_filters.DateFilter(
        field_name="published_on",
        lookup_expr="gte",
        help_text="Published on or after this date (YYYY-MM-DD; a partial date counts from its "
        "first day).",
    )
    published_before = django_filters.DateFilter(
        field_name="published_on",
        lookup_expr="lte",
        help_text="Published on or before this date (YYYY-MM-DD).",
    )
    q = django_filters.CharFilter(
        method="filter_q",
        help_text="Full-text search of title, publisher, author, text and address, as "
        "commitments are searched (`q` there); best match first.",
    )

    class Meta:
        model = Source
        fields: list[str] = []

    def filter_language(self, queryset, name, value):
        return queryset.filter(language__in=value)

    def filter_q(self, queryset, name, value):
        return source_search(queryset=queryset, query=value)
