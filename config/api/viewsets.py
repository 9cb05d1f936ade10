"""Base classes for API views: one-line viewsets over these (as in NetBox).

What they add to DRF's:
- an unknown query parameter is a 400 naming it (a typo such as `?stauts=` must not return
  every record as if it had been applied), and so is a blank value or one holding a NUL;
  an If-Match that names no ETag, and a PATCH naming no field, are 400s before the body is read;
- filters and ordering apply to lists only, not to the lookup of one object;
- `?format=csv` on a list streams every matching row (not one page) when the view declares
  `csv_columns` (column name → function of the object); `&bom=true` starts it with the UTF-8
  byte-order mark, for Excel; the paginator's parameters are checked as for JSON (a
  `page_size` of -1 is the same 400) but not applied;
- `extra_query_params` names parameters a view reads itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

from config.api.conditional import if_match_refuse_malformed
from config.api.export import CsvColumns, csv_streaming_response
from config.api.filters import StrictBooleanField, filter_names
from config.api.languages import LANG_PARAM, lang_param_problem
from config.api.ordering import ORDERING_PARAM, WhitelistOrderingFilter
from config.api.renderers import CSVRenderer

LIST_ACTIONS = ("list",)
BOM_PARAM = "bom"


class StrictQueryParamsMixin:
    """Refuse query parameters the view does not know (400 naming each)."""

    extra_query_params: tuple[str, ...] = ()

    def known_query_params(self) -> set[str]:
        known = {api_settings.URL_FORMAT_OVERRIDE, LANG_PARAM, *self.extra_query_params}
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
        # `?kind=` is neither a kind nor "any kind": a parameter given is given a value (one
        # rule for every parameter; the schema's minLength says so). Pages drop empty fields.
        empty = sorted(
            name
            for name, values in request.query_params.lists()
            if any(not value.strip() for value in values)
        )
        if empty:
            raise ValidationError(
                {name: ["An empty value: give one, or leave the parameter out."] for name in empty},
                code="empty_value",
            )
        # Before any body is read or any row locked: a malformed If-Match is the caller's
        # mistake to hear about, not a 412.
        if_match_refuse_malformed(request)
        # The language was negotiated before the view (config.api.languages); a `?lang=` it
        # could not use is the caller's mistake, not English in silence.
        langs = request.query_params.getlist(LANG_PARAM)
        if len(langs) > 1:
            raise ValidationError({LANG_PARAM: ["Give one language."]}, code="invalid_language")
        if langs and (problem := lang_param_problem(langs[0])):
            raise ValidationError({LANG_PARAM: [problem]}, code="invalid_language")
        # A PATCH that names no field would change nothing and answer as if it had.
        # (Only where PATCH is offered: elsewhere the answer is DRF's 405.)
        offers_patch = hasattr(self, "patch")
        if (
            request.method == "PATCH"
            and offers_patch
            and isinstance(request.data, Mapping)
            and not request.data
        ):
            raise ValidationError(
                "A PATCH needs a body: a JSON object naming at least one field to change.",
                code="empty_body",
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

    def known_query_params(self) -> set[str]:
        known = super().known_query_params()
        if self.csv_columns and self.applies_list_params():
            known.add(BOM_PARAM)
        return known

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.csv_with_bom = self._csv_bom(request)

    def _csv_bom(self, request) -> bool:
        """`?bom=true`: a CSV export starts with the UTF-8 byte-order mark. Checked whatever
        the format (a JSON answer has no byte-order mark to add)."""
        if BOM_PARAM not in request.query_params:
            return False
        try:
            return bool(StrictBooleanField().clean(request.query_params[BOM_PARAM]))
        except DjangoValidationError as error:
            raise ValidationError({BOM_PARAM: error.messages}, code="invalid") from None

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
            # The schema offers the paginator's parameters with CSV too: what the JSON list
            # refuses is refused here, by the paginator itself.
            if self.paginator is not None and hasattr(self.paginator, "read_query"):
                self.paginator.read_query(request, queryset)
            return csv_streaming_response(
                self.csv_queryset(queryset),
                self.csv_columns,
                filename=self.csv_filename,
                bom=self.csv_with_bom,
            )
        page = self.paginate_queryset(queryset)
        serializer = self.get_serializer(page, many=True)
        return self.get_paginated_response(serializer.data)


class ApiReadOnlyViewSet(mixins.RetrieveModelMixin, ApiGenericViewSet):
    """list (with CSV) and retrieve."""
