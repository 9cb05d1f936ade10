"""Page numbers without counting every match.

Counting all the rows a broad query matches (every commitment with a deadline, every match of
a common word) reads the whole table, which on a large dataset costs more than the page
itself. The paginator counts up to COUNT_CAP rows; past that it says "more than …", and a
page's "next" link comes from fetching one row more than it shows.
"""

from __future__ import annotations

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

COUNT_CAP = 1000


class CappedPage(Page):
    def has_next(self) -> bool:
        if self.paginator.is_capped:
            return self.more
        return super().has_next()


class CappedPaginator(Paginator):
    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        """The number of rows, or cap + 1 when there are more than `cap`."""
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap

    def validate_number(self, number) -> int:
        if not self.is_capped:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(_("That page number is not an integer")) from None
        if number < 1:
            raise EmptyPage(_("That page number is less than 1"))
        return number

    def page(self, number) -> Page:
        number = self.validate_number(number)
        if not self.is_capped:
            return super().page(number)
        first = (number - 1) * self.per_page
        rows = list(self.object_list[first : first + self.per_page + 1])
        if not rows:
            raise EmptyPage(_("That page contains no results"))
        page = CappedPage(rows[: self.per_page], number, self)
        page.more = len(rows) > self.per_page
        return page

    def _get_page(self, *args, **kwargs) -> Page:
        return CappedPage(*args, **kwargs)
