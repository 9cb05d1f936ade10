"""A page's query string, read with the API's own FilterSet so that a page and the API
filter the same way; what it cannot read becomes a list of (parameter, problem)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import EmptyPage, Page, PageNotAnInteger
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _

from commitments.filters import CommitmentFilterSet
from pages.pagination import CappedPaginator
from pages.selectors import ORDERINGS, published_commitments

# Parameters of the pages that the API does not have (it pages with a cursor).
PAGE_ONLY = ("page",)


@dataclass
class PageQuery:
    params: QueryDict
    queryset: QuerySet | None = None
    ordering: str = "deadline"
    problems: list[tuple[str, str]] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.problems

    @property
    def status_code(self) -> int:
        """Of the answer to a query with problems: 404 when only the page is past the end."""
        past_the_end = [name for name, _message in self.problems] == ["page"] and self.params.get(
            "page", ""
        ).lstrip("-").isdigit()
        return 404 if past_the_end else 400

    def api_query(self) -> str:
        """The same query for the API: its filters and ordering, without the page number."""
        api = self.params.copy()
        for name in PAGE_ONLY:
            api.pop(name, None)
        return api.urlencode()

    def without(self, *names: str) -> str:
        kept = self.params.copy()
        for name in names:
            kept.pop(name, None)
        return kept.urlencode()


def commitment_query(params: QueryDict, *, ordering: bool = True) -> PageQuery:
    """The commitment filters of `params` (as /api/v1/commitments/ takes them), applied to
    published commitments, plus `ordering` when the page has one."""
    # An empty field of the page's form means "any": dropped, as if it had not been sent.
    filled = QueryDict(mutable=True)
    for name, values in params.lists():
        filled.setlist(name, [value for value in values if value != ""])
        if not filled.getlist(name):
            del filled[name]
    params = filled
    query = PageQuery(params)
    known = {*CommitmentFilterSet.base_filters, *PAGE_ONLY, *(["ordering"] if ordering else [])}
    for name in sorted(set(params) - known):
        query.problems.append(
            (name, _("Unknown parameter. Known: %(known)s.") % {"known": ", ".join(sorted(known))})
        )
    # PostgreSQL refuses NUL in text: refused here, before any filter reads it.
    for name, values in params.lists():
        if any("\x00" in value for value in values):
            query.problems.append((name, _("Null characters are not allowed.")))
    if ordering:
        query.ordering = params.get("ordering") or "deadline"
        if query.ordering not in ORDERINGS:
            query.problems.append(
                (
                    "ordering",
                    _("“%(value)s” is not an ordering. Use one of: %(known)s.")
                    % {"value": query.ordering, "known": ", ".join(ORDERINGS)},
                )
            )
    filters = params.copy()
    for name in (*PAGE_ONLY, "ordering"):
        filters.pop(name, None)
    if not query.is_valid:
        return query
    filterset = CommitmentFilterSet(filters, queryset=published_commitments(), request=None)
    if not filterset.is_valid():
        for name, messages in filterset.errors.items():
            query.problems.extend((name, str(message)) for message in messages)
    if query.is_valid:
        query.queryset = filterset.qs
    return query


def page_of(queryset: QuerySet, query: PageQuery, *, per_page: int) -> Page | None:
    """The page `?page=` asks for; a problem on `query` (and None) when there is no such
    page. Counting (up to COUNT_CAP rows) is one query, the page another."""
    paginator = CappedPaginator(queryset, per_page)
    number = query.params.get("page") or "1"
    try:
        return paginator.page(number)
    except PageNotAnInteger:
        query.problems.append(("page", _("“%(value)s” is not a page number.") % {"value": number}))
    except EmptyPage:
        if paginator.is_capped:
            message = _("There is no page %(number)s: the results end before it.")
        else:
            message = _("There is no page %(number)s: the results fill %(pages)s page(s).")
        query.problems.append(("page", message % {"number": number, "pages": paginator.num_pages}))
    return None
