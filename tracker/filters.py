"""Filters of the alerts feed, with the conventions of the commitment filters (several values
repeated or comma-separated; `actor`, `role` and `country` apply together to one party).

Unlike those, no filter here looks its value up in the database: a feed poll must stay one
query. A value of the wrong form is a 400 naming the filter; an actor that does not exist
matches nothing. The party filters are the commitment list's rule
(`commitments.selectors.commitments_with_party`), applied to the alerts' commitments.
"""

from __future__ import annotations

import re

import django_filters
from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError

from commitments.choices import PartyRole
from commitments.models import Commitment
from commitments.selectors import commitments_with_party
from config.api.filters import (
    MAX_BIGINT,
    PARTY_FILTERS,
    SLUG,
    MultipleChoiceFilter,
    StringsFilter,
    country_filter,
    is_id_text,
    tag_filter,
)
from tracker.choices import AlertKind

ID = re.compile(r"^[1-9][0-9]{0,17}$")


class AlertFilter(django_filters.FilterSet):
    kind = MultipleChoiceFilter(choices=AlertKind.choices, help_text="Any of these alert kinds.")
    commitment_id = StringsFilter(
        item_pattern=ID,
        item_hint="Give a commitment's id.",
        method="filter_commitment_id",
        help_text="Alerts of these commitments (ids).",
    )
    tag = tag_filter(help_text="Alerts of commitments carrying every one of these tags.")
    actor = StringsFilter(
        item_pattern=SLUG,
        item_hint="Give an actor's id or slug.",
        help_text="Alerts of commitments with one of these actors (id or slug) as a party.",
    )
    actor_id = StringsFilter(
        item_pattern=ID,
        item_hint="Give an actor's id.",
        help_text="Alerts of commitments with one of these actors (ids) as a party.",
    )
    role = MultipleChoiceFilter(
        choices=PartyRole.choices, help_text="A party has one of these roles."
    )
    country = country_filter(
        help_text="A party is an actor of one of these countries (ISO 3166-1 alpha-2).",
    )

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        data = self.form.cleaned_data
        for name, value in data.items():
            if name not in PARTY_FILTERS:
                queryset = self.filters[name].filter(queryset, value)
        return self._with_party(queryset, **{name: data.get(name) for name in PARTY_FILTERS})

    def filter_commitment_id(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(commitment_id__in=[int(item) for item in value])

    def filter_tag(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        # Tags are stored lower-case; `contains` is the GIN-indexed array containment.
        return queryset.filter(commitment__tags__contains=sorted({t.lower() for t in value}))

    def _with_party(self, queryset: QuerySet, *, actor, actor_id, role, country) -> QuerySet:
        """Alerts of commitments with one party that meets every condition given."""
        if not (actor or actor_id or role or country):
            return queryset
        ids = [
            int(item)
            for item in [*(actor or []), *(actor_id or [])]
            if is_id_text(item) and int(item) <= MAX_BIGINT
        ]
        # A number too large for an id can only be a slug (of no actor, in practice).
        slugs = [item for item in actor or [] if not is_id_text(item) or int(item) > MAX_BIGINT]
        commitments = commitments_with_party(
            Commitment.objects.all(),
            actors=ids,
            actor_slugs=slugs,
            roles=role or [],
            countries=country or [],
        )
        return queryset.filter(commitment_id__in=commitments.values("id"))


def alerts_filtered(params, *, queryset: QuerySet) -> QuerySet:
    """`queryset` with the feed's filters named in `params` applied, each bad value a 400
    naming its filter. A poll that names none (a dashboard's usual poll) builds no filter
    form at all."""
    if not set(params) & set(AlertFilter.base_filters):
        return queryset
    filters = AlertFilter(params, queryset=queryset)
    if not filters.is_valid():
        raise ValidationError(filters.errors)
    return filters.qs
