"""Sources: anyone reads; staff create, change and delete (a cited source is never deleted)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import translation
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from common.translations import LANGUAGE_CODES
from config.api.conditional import etag_for, if_none_match_hits, locked_for_write, not_modified
from config.api.exceptions import Conflict
from config.api.export import csv_columns
from config.api.links import created as created_response
from config.api.schema import ETAG_HEADER, IF_MATCH_HEADER, IF_NONE_MATCH_HEADER, NOT_MODIFIED
from config.api.viewsets import ApiGenericViewSet
from sources.api.serializers import (
    SourceDetailSerializer,
    SourceSerializer,
    SourceStaffDetailSerializer,
    SourceWriteSerializer,
)
from sources.filters import SourceFilterSet
from sources.models import Source
from sources.selectors import source_detail_for_api, sources_for_api
from sources.services import source_create, source_delete, source_update


def source_etag(source: Source, *, staff: bool = False) -> str:
    return etag_for("source", staff, source.pk, source.updated_at.isoformat())


SOURCE_CSV_COLUMNS = csv_columns(SourceSerializer.Meta.fields)


@extend_schema_view(
    list=extend_schema(summary="List sources"),
    retrieve=extend_schema(
        summary="One source, with its full text",
        parameters=[IF_NONE_MATCH_HEADER, ETAG_HEADER],
        responses={200: SourceStaffDetailSerializer, 304: NOT_MODIFIED},
    ),
    create=extend_schema(
        summary="Add a source (staff)",
        request=SourceWriteSerializer,
        responses={201: SourceStaffDetailSerializer},
        parameters=[ETAG_HEADER],
    ),
    update=extend_schema(
        summary="Replace a source's fields (staff)",
        request=SourceWriteSerializer,
        responses={200: SourceStaffDetailSerializer},
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
    ),
    partial_update=extend_schema(
        summary="Change some of a source's fields (staff)",
        request=SourceWriteSerializer,
        responses={200: SourceStaffDetailSerializer},
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
    ),
    destroy=extend_schema(
        summary="Delete a source that no citation relies on (staff)",
        parameters=[IF_MATCH_HEADER],
    ),
)
class SourceViewSet(ApiGenericViewSet):
    """Sources: the documents evidence is quoted from, with a SHA-256 of their text."""

    queryset = Source.objects.none()
    serializer_class = SourceSerializer
    filterset_class = SourceFilterSet
    csv_columns = SOURCE_CSV_COLUMNS
    csv_filename = "sources.csv"

    def get_queryset(self):
        if self.action == "list":
            return sources_for_api()
        return source_detail_for_api()

    def get_serializer_class(self):
        return SourceSerializer if self.action == "list" else self._detail_serializer()

    def _detail_serializer(self):
        # Staff read every language's title too, as writes take them.
        return SourceStaffDetailSerializer if self.request.user.is_staff else SourceDetailSerializer

    def _etag(self, source: Source) -> str:
        return source_etag(source, staff=self.request.user.is_staff)

    @staticmethod
    def _etags_of_every_representation(source: Source) -> list[str]:
        # An If-Match from a read in another language, or without the token, is the same state.
        etags = []
        for language in LANGUAGE_CODES:
            with translation.override(language):
                etags += [source_etag(source, staff=staff) for staff in (False, True)]
        return etags

    def _respond(self, source: Source, *, created: bool = False) -> Response:
        source = source_detail_for_api().get(pk=source.pk)
        headers = {"ETag": self._etag(source)}
        body = self._detail_serializer()(source).data
        if created:
            return created_response(body, url_name="source-detail", pk=source.pk, headers=headers)
        return Response(body, headers=headers)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        source = self.get_object()
        etag = self._etag(source)
        if if_none_match_hits(request, etag):
            return not_modified(etag)
        return Response(self._detail_serializer()(source).data, headers={"ETag": etag})

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = SourceWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        translations = data.pop("translations", None)
        source = source_create(**data, translations=translations, created_by=request.user)
        return self._respond(source, created=True)

    def update(self, request: Request, *args, partial: bool = False, **kwargs) -> Response:
        with transaction.atomic():
            source = locked_for_write(
                self, etag=self._etag, representations=self._etags_of_every_representation
            )
            serializer = SourceWriteSerializer(source, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            translations = data.pop("translations", None)
            source = source_update(
                source=source, data=data, translations=translations, updated_by=request.user
            )
        return self._respond(source)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        with transaction.atomic():
            source = locked_for_write(
                self,
                etag=self._etag,
                for_delete=True,
                representations=self._etags_of_every_representation,
            )
            try:
                source_delete(source=source)
            except DjangoValidationError as error:
                raise Conflict(" ".join(error.messages), code="source_is_cited") from None
        return Response(status=status.HTTP_204_NO_CONTENT)
