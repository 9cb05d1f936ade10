"""Filters of the alerts feed, with the conventions of the commitment filters (several values
repeated or comma-separated; `actor`, `role` and `country` apply together to one party).

Unlike those, no filter here looks its value up in the database: a feed poll must stay one
query. A value of the wrong form is a 400 naming the filter; an actor that does not exist
matches nothing.
"""

from __future__ import annotations

import re

from django.db.models import Exists, OuterRef, Q, QuerySet

from commitments.choices import PartyRole
from commitments.models import Party
from config.api.filters import (
    MAX_BIGINT,
    PARTY_FILTERS,
    SLUG,
    FilterSet,
    MultipleChoiceFilter,
    StringsFilter,
    country_filter,
    is_id_text,
    tag_filter,
)
from tracker.choices import AlertKind

ID = re.compile(r"^[1-9][0-9]{0,17}$")


class AlertFilter(FilterSet):
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
        """One party of the commitment meets every condition given (`actor=x&role=partner`
        is x as a partner). EXISTS: a commitment with two such parties is still one alert."""
        if not (actor or actor_id or role or country):
            return queryset
        parties = Party.objects.filter(commitment_id=OuterRef("commitment_id"))
        if actor or actor_id:
            given = [*(actor or []), *(actor_id or [])]
            ids = [int(item) for item in given if is_id_text(item) and int(item) <= MAX_BIGINT]
            slugs = [item for item in actor or [] if not is_id_text(item)]
            parties = parties.filter(Q(actor_id__in=ids) | Q(actor__slug__in=slugs))
        if role:
            parties = parties.filter(role__in=role)
        if country:
            parties = parties.filter(actor__country__in=[code.upper() for code in country])
        return queryset.filter(Exists(parties))
