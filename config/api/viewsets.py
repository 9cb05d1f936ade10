"""Base classes for API views: one-line viewsets over these (as in NetBox).

What they add to DRF's:
- an unknown query parameter is a 400 naming it (a typo such as `?stauts=` must not return
  every record as if it had been applied), and so is a value holding a NUL character;
- filters and ordering apply to lists only, not to the lookup of one object;
- `?format=csv` on a list streams every matching row (not one page) when the view declares
  `csv_columns` (column name → function of the object);
- `extra_query_params` names parameters a view reads itself.
"""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

from config.api.export import CsvColumns, csv_streaming_response
from config.api.filters import filter_names
from config.api.ordering import ORDERING_PARAM, WhitelistOrderingFilter
from config.api.renderers import CSVRenderer

LIST_ACTIONS = ("list",)


class StrictQueryParamsMixin:
    """Refuse query parameters the view does not know (400 naming each)."""

    extra_query_params: tuple[str, ...] = ()

    def known_query_params(self) -> set[str]:
        known = {api_settings.URL_FORMAT_OVERRIDE, *self.extra_query_params}
        if self.applies_list_params():
            backend = DjangoFilterBackend()
            queryset = getattr(self, "queryset", None)
            known |= set(filter_names(backend.get_filterset_class(self, queryset)))
            if getattr(self, "ordering_fields", None):
                known.add(ORDERING_PARAM)
            paginator = getattr(self, "paginator", None)
            if paginator is not None and hasattr(paginator, "query_params"):
                known |= set(paginator.query_params())
        return known

    def applies_list_params(self) -> bool:
        return getattr(self, "action", None) in LIST_ACTIONS

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        known = self.known_query_params()
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            hint = ", ".join(sorted(known)) or "none"
            raise ValidationError(
                {
                    name: [f"Unknown query parameter. This endpoint takes: {hint}."]
                    for name in unknown
                },
                code="unknown_parameter",
            )
        # No value the API reads may hold a NUL (PostgreSQL refuses it in text): one check
        # here covers every parameter, present and future, before any filter sees it.
        with_nul = sorted(
            name
            for name, values in request.query_params.lists()
            if any("\x00" in value for value in values)
        )
        if with_nul:
            raise ValidationError(
                {name: ["Null characters are not allowed."] for name in with_nul},
                code="null_characters_not_allowed",
            )


class ApiGenericViewSet(StrictQueryParamsMixin, viewsets.GenericViewSet):
    filter_backends = [DjangoFilterBackend, WhitelistOrderingFilter]
    csv_columns: CsvColumns | None = None
    csv_filename = "export.csv"

    def get_renderers(self):
        renderers = super().get_renderers()
        if self.csv_columns and self.applies_list_params():
            renderers.append(CSVRenderer())
        return renderers

    def csv_queryset(self, queryset):
        """The rows a CSV export streams; a view may read them flat (`.values()`), since an
        export of every row cannot afford a model instance per row and per relation."""
        return queryset

    def filter_queryset(self, queryset):
        # DRF also filters the lookup of one object; a filter belongs to lists.
        if not self.applies_list_params():
            return queryset
        return super().filter_queryset(queryset)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        if self.csv_columns and getattr(request.accepted_renderer, "format", None) == "csv":
            return csv_streaming_response(
                self.csv_queryset(queryset), self.csv_columns, filename=self.csv_filename
            )
        page = self.paginate_queryset(queryset)
        serializer = self.get_serializer(page, many=True)
        return self.get_paginated_response(serializer.data)


class ApiReadOnlyViewSet(mixins.RetrieveModelMixin, ApiGenericViewSet):
    """list (with CSV) and retrieve."""
