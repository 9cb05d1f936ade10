"""Keyset ("cursor") pagination over any ordering of plain model fields.

The cursor is an opaque token holding the ordering keys' values of the last row of the page
(and the direction of reading), so a page is `WHERE (keys) > (cursor) ORDER BY keys LIMIT n`:
as fast on page 1,000 as on page 1, and stable while rows are added or removed. The primary key
is always the last key, so every order is total. Null values sort last in either direction.

The ordering is read from the queryset (`order_by` of field names, or the model's default),
so a view orders its queryset — or uses `config.api.ordering.WhitelistOrderingFilter` — and
this class does the rest. The cursor is signed (django.core.signing, salted with the model and
the ordering), so its values are positions this server handed out and need converting, not
checking: a cursor the server did not make for this list and ordering is a 400 naming
`cursor`. `page_size` is a whole number from 1 to 200: anything else (0, 201, `-1`, `ten`)
is a 400 naming it, one rule whatever the value.

`count=true` adds `count`, the number of rows the whole filtered list holds: a COUNT query
of its own, so it is run only when asked for.

`read_query` checks all three for a list that is not paged (a CSV export streams every row), so
a parameter the JSON list refuses is refused there too, by the same code.
"""

from __future__ import annotations

import datetime
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q, QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from common.links import absolute_url
from config.api.filters import StrictBooleanField
from config.api.renderers import JSONText

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
CURSOR_SALT = "config.api.pagination.cursor"
# For lists that also export CSV (config.api.viewsets.ApiGenericViewSet).
CSV_NOTE = (
    " With `format=csv`, which streams every matching row, `page_size`, `cursor` and `count` "
    "are checked as for JSON but not applied."
)


@dataclass(frozen=True)
class OrderKey:
    field: str  # a concrete field of the model
    descending: bool
    nullable: bool


@dataclass(frozen=True)
class Cursor:
    values: tuple
    backwards: bool


@dataclass(frozen=True)
class ListQuery:
    size: int
    wants_count: bool
    keys: list[OrderKey]
    cursor: Cursor | None


def order_keys(queryset: QuerySet) -> list[OrderKey]:
    """The queryset's ordering as keys, with the primary key appended when missing."""
    meta = queryset.model._meta
    names = list(queryset.query.order_by) or list(meta.ordering) or ["pk"]
    keys = []
    for name in names:
        if not isinstance(name, str) or "__" in name or "?" in name:
            raise ImproperlyConfigured(
                f"Cursor pagination orders by plain fields of {meta.label} only, not {name!r}."
            )
        descending = name.startswith("-")
        field_name = name.lstrip("-")
        if field_name in queryset.query.annotations:  # computed per row, e.g. a search's rank
            keys.append(OrderKey(field_name, descending, False))
            continue
        field = meta.pk if field_name == "pk" else meta.get_field(field_name)
        keys.append(OrderKey(field.attname, descending, field.null))
    if keys[-1].field != meta.pk.attname:
        keys.append(OrderKey(meta.pk.attname, False, False))
    return keys


def _order_expressions(keys: list[OrderKey], *, backwards: bool) -> list:
    """ORDER BY for the keys; reading backwards flips every direction, nulls placement too."""
    expressions = []
    for key in keys:
        expression = F(key.field)
        nulls = {"nulls_first": True} if backwards else {"nulls_last": True}
        if key.descending != backwards:
            expressions.append(expression.desc(**nulls))
        else:
            expressions.append(expression.asc(**nulls))
    return expressions


_NOTHING = Q(pk__in=[])


def _beyond(key: OrderKey, value: Any, *, backwards: bool) -> Q:
    """Rows strictly after `value` in this key's order (before it when reading backwards)."""
    greater = key.descending == backwards  # ascending forwards, or descending backwards
    lookup = "gt" if greater else "lt"
    if not backwards:  # nulls come last
        if value is None:
            return _NOTHING
        beyond = Q(**{f"{key.field}__{lookup}": value})
        return beyond | Q(**{f"{key.field}__isnull": True}) if key.nullable else beyond
    # backwards: nulls come first, i.e. before every value
    if value is None:
        return Q(**{f"{key.field}__isnull": False})
    return Q(**{f"{key.field}__{lookup}": value})


def _equal(key: OrderKey, value: Any) -> Q:
    if value is None:
        return Q(**{f"{key.field}__isnull": True})
    return Q(**{key.field: value})


def keyset_filter(keys: list[OrderKey], values: tuple, *, backwards: bool) -> Q:
    """(k1, k2, …) beyond (v1, v2, …), spelled out so that each key has its own direction."""
    condition = _NOTHING
    for index, key in enumerate(keys):
        clause = _beyond(key, values[index], backwards=backwards)
        for earlier, value in zip(keys[:index], values[:index], strict=True):
            clause &= _equal(earlier, value)
        condition |= clause
    return condition


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


class KeysetCursorPagination(BasePagination):
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    count_query_param = "count"
    page_size = DEFAULT_PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw in (None, ""):
            return self.page_size
        # ASCII digits only: int() would also take " 5", "+5", "5_0" and Arabic-Indic digits.
        size = int(raw) if raw.isascii() and raw.isdigit() else 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"Must be a whole number from 1 to {self.max_page_size}."
                    ]
                },
                code="invalid",
            )
        return size

    def wants_count(self, request) -> bool:
        try:
            wanted = StrictBooleanField(required=False).clean(
                request.query_params.get(self.count_query_param)
            )
        except DjangoValidationError as error:
            raise ValidationError(
                {self.count_query_param: error.messages}, code="invalid"
            ) from None
        return bool(wanted)

    def encode_cursor(self, values: tuple, *, backwards: bool) -> str:
        payload = {"v": [_encode_value(value) for value in values], "b": backwards}
        return self.signer.sign_object(payload)

    def decode_cursor(self, request, queryset: QuerySet, keys: list[OrderKey]) -> Cursor | None:
        token = request.query_params.get(self.cursor_query_param)
        if not token:
            return None
        try:
            payload = self.signer.unsign_object(token)
        except signing.BadSignature:
            raise ValidationError(
                {
                    self.cursor_query_param: [
                        "Invalid cursor: use the `next` or `previous` link of a page as it is, "
                        "with the same `ordering`."
                    ]
                },
                code="invalid_cursor",
            ) from None
        fields = {field.attname: field for field in queryset.model._meta.concrete_fields}
        fields.update(
            (name, annotation.output_field)
            for name, annotation in queryset.query.annotations.items()
            if any(key.field == name for key in keys)
        )
        values = tuple(
            None if raw is None else fields[key.field].to_python(raw)
            for key, raw in zip(keys, payload["v"], strict=True)
        )
        return Cursor(values=values, backwards=payload["b"])

    def read_query(self, request, queryset: QuerySet) -> ListQuery:
        """The list parameters of `request`, each checked (a 400 naming the one that is
        wrong); no query is run."""
        size = self.get_page_size(request)
        wants_count = self.wants_count(request)
        keys = order_keys(queryset)
        # Salted with the model and the ordering: a cursor is a position in the list it came
        # from and in no other. "." joins payload and signature, so a link needs no escaping.
        ordering = ",".join(("-" if key.descending else "") + key.field for key in keys)
        salt = f"{CURSOR_SALT}:{queryset.model._meta.label}:{ordering}"
        self.signer = signing.Signer(salt=salt, sep=".")
        cursor = self.decode_cursor(request, queryset, keys)
        return ListQuery(size=size, wants_count=wants_count, keys=keys, cursor=cursor)

    def paginate_queryset(self, queryset: QuerySet, request, view=None) -> list:
        self.request = request
        query = self.read_query(request, queryset)
        size, keys, cursor = query.size, query.keys, query.cursor
        self.count = queryset.count() if query.wants_count else None
        backwards = bool(cursor and cursor.backwards)
        page = queryset.order_by(*_order_expressions(keys, backwards=backwards))
        if cursor is not None:
            page = page.filter(keyset_filter(keys, cursor.values, backwards=backwards))
        rows = list(page[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()

        def position(row) -> tuple:
            # A model instance, or a dict of a `.values()` page (which must hold the keys).
            if isinstance(row, dict):
                return tuple(row[key.field] for key in keys)
            return tuple(getattr(row, key.field) for key in keys)

        # On the public address, as every link in a body is (common.links): not the Host header.
        url = absolute_url(request.get_full_path())
        self.next_link = self.previous_link = None
        if not backwards:
            if more:
                self.next_link = self._link(url, position(rows[-1]), backwards=False)
            if cursor is not None:
                start = position(rows[0]) if rows else cursor.values
                self.previous_link = self._link(url, start, backwards=True)
        else:
            if more:
                self.previous_link = self._link(url, position(rows[0]), backwards=True)
            # Came back from a later page, so there is one after this.
            self.next_link = (
                self._link(url, position(rows[-1]), backwards=False)
                if rows
                else remove_query_param(url, self.cursor_query_param)
            )
        return rows

    def _link(self, url: str, values: tuple, *, backwards: bool) -> str:
        token = self.encode_cursor(values, backwards=backwards)
        return replace_query_param(url, self.cursor_query_param, token)

    def _envelope(self) -> OrderedDict:
        envelope = OrderedDict() if self.count is None else OrderedDict(count=self.count)
        envelope["next"], envelope["previous"] = self.next_link, self.previous_link
        return envelope

    def get_paginated_response(self, data) -> Response:
        envelope = self._envelope()
        if isinstance(data, JSONText):  # the page's results, already JSON
            head = json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))
            return Response(JSONText(f'{head[:-1]},"results":{data}}}'))
        envelope["results"] = data
        return Response(envelope)

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "With `count=true` only: how many results the whole "
                    "filtered list holds, all pages together.",
                },
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The next page, or null on the last page.",
                },
                "previous": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The previous page, or null on the first page.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.cursor_query_param,
                "in": "query",
                "required": False,
                "description": "Opaque position: take it from a page's `next` or `previous`.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "in": "query",
                "required": False,
                "description": (
                    f"Results per page: a whole number from 1 to {MAX_PAGE_SIZE}, "
                    f"{DEFAULT_PAGE_SIZE} by default; any other value is a 400 naming "
                    "`page_size`." + (CSV_NOTE if getattr(view, "csv_columns", None) else "")
                ),
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
            {
                "name": self.count_query_param,
                "in": "query",
                "required": False,
                "description": (
                    "`true` (or `1`) adds `count`, the number of results of the whole filtered "
                    "list; it costs a counting query, so leave it out unless it is needed."
                ),
                "schema": {"type": "boolean", "default": False},
            },
        ]

    def query_params(self) -> tuple[str, ...]:
        return (self.cursor_query_param, self.page_size_query_param, self.count_query_param)
