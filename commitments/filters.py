"""The commitment, actor and deadline-feed filters (explicit FilterSets, NetBox style).

Each filter's help text is its documentation in the OpenAPI schema. A value a filter does not
understand — a status that does not exist, a date that is not a date, an unknown actor — is a
400 naming the filter.
"""

from __future__ import annotations

import re

import django_filters
from django.db.models import Q

from commitments.choices import (
    ActorKind,
    ClaimFact,
    CommitmentKind,
    PartyRole,
    Status,
    StatusReason,
    StatusSource,
)
from commitments.models import Actor, Commitment
from commitments.selectors import (
    commitments_citing,
    commitments_disputed,
    commitments_search,
    commitments_tagged,
    commitments_visible_to,
    commitments_with_party,
    user_sees_drafts,
)
from config.api.filters import (
    COUNTRY_HINT,
    ISO_COUNTRY,
    PARTY_FILTERS,
    FilterSet,
    IdMultipleFilter,
    IdOrSlugMultipleFilter,
    MultipleChoiceFilter,
    StrictBooleanFilter,
    StringsFilter,
    country_filter,
    tag_filter,
)
from sources.models import Source

REFERENCE = re.compile(r"^[^,\x00]+$")
# The filters one party must meet together: those of every feed, and the party's own status.
PARTY_CONDITIONS = (*PARTY_FILTERS, "party_status")


class CommitmentFilterSet(FilterSet):
    status = MultipleChoiceFilter(
        choices=Status.choices, help_text="Any of these statuses (repeat it or separate by commas)."
    )
    kind = MultipleChoiceFilter(choices=CommitmentKind.choices, help_text="Any of these kinds.")
    overdue = StrictBooleanFilter(
        field_name="is_overdue",
        help_text="Overdue (true) or not (false): the status is not final and the deadline's "
        "last day has passed.",
    )
    is_published = StrictBooleanFilter(
        help_text="Published (true) or draft (false). Only staff see drafts at all."
    )
    recurring = StrictBooleanFilter(help_text="Said to happen regularly.")
    disputed = StrictBooleanFilter(
        method="filter_disputed",
        help_text="Its sources disagree on some fact (true) or on none (false): two claims on "
        "the same fact whose periods do not overlap or whose texts differ.",
    )
    disputed_fact = MultipleChoiceFilter(
        choices=ClaimFact.choices,
        method="filter_disputed_fact",
        help_text="Its sources disagree on one of these facts.",
    )
    due_before = django_filters.DateFilter(
        field_name="deadline_last_day",
        lookup_expr="lte",
        help_text="The deadline's last day is on or before this date (YYYY-MM-DD).",
    )
    due_after = django_filters.DateFilter(
        field_name="deadline_last_day",
        lookup_expr="gte",
        help_text="The deadline's last day is on or after this date (YYYY-MM-DD).",
    )
    actor = IdOrSlugMultipleFilter(
        queryset=Actor.objects.all(),
        slug_field="slug",
        noun="actor",
        help_text="A party is one of these actors (id or slug, e.g. `osce`). With `role`, "
        "`country`: the same party meets all of them.",
    )
    actor_id = IdMultipleFilter(
        queryset=Actor.objects.all(), help_text="A party is one of these actors (ids)."
    )
    role = MultipleChoiceFilter(
        choices=PartyRole.choices,
        help_text="A party has one of these roles (with `actor`: that actor in that role).",
    )
    country = country_filter(
        help_text="A party is an actor of one of these countries (ISO 3166-1 alpha-2, e.g. TM).",
    )
    party_status = MultipleChoiceFilter(
        choices=Status.choices,
        help_text="A party's own part has one of these statuses (with `actor`: that actor's "
        "part, e.g. `actor=pakistan&party_status=in_progress`).",
    )
    status_source = MultipleChoiceFilter(
        choices=StatusSource.choices,
        help_text="The status is recorded by staff (`recorded`) or derived from the parties' "
        "own statuses (`parties`).",
    )
    reason = MultipleChoiceFilter(
        field_name="status_reason",
        choices=StatusReason.choices,
        help_text="Stalled or abandoned for one of these reasons.",
    )
    evidence_stale = StrictBooleanFilter(
        help_text="Flagged by the tracker (true): not final, and the newest evidence is older "
        "than the configured age (12 months by default) or than the deadline that passed.",
    )
    source = IdMultipleFilter(
        queryset=Source.objects.all(),
        method="filter_source",
        help_text="Cites one of these sources (ids).",
    )
    tag = tag_filter(help_text="Carries every one of these tags.")
    parent = IdOrSlugMultipleFilter(
        queryset=Commitment.objects.none(),  # set per request: only what the caller may see
        slug_field="reference",
        noun="commitment",
        item_pattern=REFERENCE,
        method="filter_parent",
        help_text="A milestone of one of these commitments (id or reference).",
    )
    parent_id = IdMultipleFilter(
        queryset=Commitment.objects.none(),
        field_name="parent",
        help_text="A milestone of one of these commitments (ids).",
    )
    q = django_filters.CharFilter(
        method="filter_q",
        help_text="Full-text search of reference, title, parties' names, description and "
        "deadline: Russian and English stems, accents folded (`Asgabat` finds `Aşgabat`), "
        'words as prefixes. Web-search syntax: `cyber security`, `"digital cooperation"`, '
        "`ashgabat or samarkand`, `-osce`. Best match first unless `ordering` is given.",
    )

    class Meta:
        model = Commitment
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        visible = commitments_visible_to(self._user)
        self.filters["parent"].extra["queryset"] = visible
        self.filters["parent_id"].queryset = visible

    @property
    def _user(self):
        return getattr(self.request, "user", None)

    def form_variant(self) -> bool:
        # The parent filters name only commitments the caller may see: drafts for staff.
        return user_sees_drafts(self._user)

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        for name, value in data.items():
            if name not in PARTY_CONDITIONS:
                queryset = self.filters[name].filter(queryset, value)
        actors = [*(data.get("actor") or []), *(data.get("actor_id") or [])]
        roles = data.get("role") or []
        countries = data.get("country") or []
        party_statuses = data.get("party_status") or []
        if actors or roles or countries or party_statuses:
            queryset = commitments_with_party(
                queryset,
                actors=actors,
                roles=roles,
                countries=countries,
                party_statuses=party_statuses,
            )
        return queryset

    def filter_disputed(self, queryset, name, value):
        return commitments_disputed(queryset, disputed=value)

    def filter_disputed_fact(self, queryset, name, value):
        return commitments_disputed(queryset, facts=value)

    def filter_source(self, queryset, name, value):
        return commitments_citing(queryset, sources=value)

    def filter_tag(self, queryset, name, value):
        return commitments_tagged(queryset, tags=value)

    def filter_parent(self, queryset, name, value):
        return queryset.filter(parent__in=value)

    def filter_q(self, queryset, name, value):
        return commitments_search(queryset, query=value)


class ActorFilterSet(django_filters.FilterSet):
    kind = MultipleChoiceFilter(choices=ActorKind.choices, help_text="Any of these kinds.")
    country = StringsFilter(
        item_pattern=ISO_COUNTRY,
        item_hint=COUNTRY_HINT,
        method="filter_country",
        help_text="Of one of these countries (ISO 3166-1 alpha-2, e.g. TM).",
    )
    parent = IdOrSlugMultipleFilter(
        queryset=Actor.objects.all(),
        slug_field="slug",
        noun="actor",
        method="filter_parent",
        help_text="Part of one of these actors (id or slug).",
    )
    q = django_filters.CharFilter(
        method="filter_q", help_text="Part of the name, short name or slug (any case)."
    )

    class Meta:
        model = Actor
        fields: list[str] = []

    def filter_country(self, queryset, name, value):
        return queryset.filter(country__in=[code.upper() for code in value])

    def filter_parent(self, queryset, name, value):
        return queryset.filter(parent__in=value)

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(short_name__icontains=value) | Q(slug__icontains=value)
        )
