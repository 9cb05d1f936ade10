"""The alerts feed and the dashboard counts: read-only, built for clients that poll.

A dashboard polls every few seconds and almost every poll finds nothing new, so the feed
answers that case from one cheap query and no serialization: the page's ids and validators
(`alerts_feed_page`), compared with If-None-Match / If-Modified-Since, then 304. Only a poll
that brings news loads and serializes alerts. Every poll, 304s included, goes through DRF's
request cycle: authentication, content negotiation and the throttles apply as to any view.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from commitments.choices import PartyRole
from commitments.selectors import tracker_today
from common.links import absolute_url
from config.api.conditional import etag_for, if_none_match_hits, not_modified
from config.api.viewsets import StrictQueryParamsMixin
from tracker.api.serializers import (
    AlertFeedQuerySerializer,
    AlertFeedSerializer,
    AlertSerializer,
    StatsSerializer,
)
from tracker.choices import AlertKind
from tracker.filters import AlertFilter, alerts_filtered
from tracker.selectors import (
    alerts_by_ids,
    alerts_feed_page,
    alerts_visible_to,
    commitment_stats_cached,
)

# Part of every ETag: bump when a representation's shape changes, so that no client keeps a
# 304 for a body it has never seen.
ALERTS_REPRESENTATION = "alerts/1"
STATS_REPRESENTATION = "stats/1"
# Last-Modified of a feed that has never had an alert.
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def _polling_headers(*, last_modified: datetime | None = None) -> dict:
    # No Cache-Control: config.middleware.ApiCacheControlMiddleware says it for every API read
    # (public for a short while to anonymous readers, private to a token or a session).
    headers = {}
    if last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified.timestamp())
    return headers


def _vary(response: HttpResponse) -> HttpResponse:
    # The answer depends on who asks (drafts for staff) and in which format.
    patch_vary_headers(response, ("Accept", "Authorization", "Cookie"))
    return response


def _unchanged(request, *, etag: str, last_modified: datetime | None) -> bool:
    """RFC 9110: If-None-Match decides when present; otherwise If-Modified-Since (which has a
    one-second resolution: dashboards should send the ETag)."""
    if "If-None-Match" in request.headers:
        return if_none_match_hits(request, etag)
    since = parse_http_date_safe(request.headers.get("If-Modified-Since") or "")
    return (
        since is not None and last_modified is not None and int(last_modified.timestamp()) <= since
    )


def _feed_filter_parameter(name: str, item_type, *, enum=None) -> OpenApiParameter:
    """The schema of one AlertFilter filter: several values, repeated or comma-separated,
    each as the filter's own pattern says (a value it refuses is a 400)."""
    declared = AlertFilter.base_filters[name]
    pattern = declared.extra.get("item_pattern") if item_type == OpenApiTypes.STR else None
    return OpenApiParameter(
        name,
        item_type,
        many=True,
        explode=True,
        enum=enum,
        pattern=pattern.pattern if pattern is not None else None,
        description=str(declared.extra.get("help_text", "")),
    )


FEED_FILTER_PARAMETERS = [
    _feed_filter_parameter("kind", OpenApiTypes.STR, enum=AlertKind.values),
    _feed_filter_parameter("commitment_id", OpenApiTypes.INT),
    _feed_filter_parameter("tag", OpenApiTypes.STR),
    _feed_filter_parameter("actor", OpenApiTypes.STR),
    _feed_filter_parameter("actor_id", OpenApiTypes.INT),
    _feed_filter_parameter("role", OpenApiTypes.STR, enum=PartyRole.values),
    _feed_filter_parameter("country", OpenApiTypes.STR),
]


class AlertFeedView(StrictQueryParamsMixin, APIView):
    """The deadline alerts feed, oldest first after a cursor."""

    http_method_names = ["get", "head", "options"]
    extra_query_params = ("after", "limit", *AlertFilter.base_filters)

    @extend_schema(
        operation_id="alerts_feed",
        summary="The alerts feed (poll it)",
        description=(
            "Alerts oldest first: a commitment became overdue, entered the due-soon window, or "
            "had a status change recorded. Poll `next` (this query with `after` set to the "
            "last alert seen) and send the ETag back in If-None-Match: an unchanged poll is a "
            "304 with no body. Alerts of draft commitments are shown to staff only."
        ),
        parameters=[AlertFeedQuerySerializer, *FEED_FILTER_PARAMETERS],
        responses={
            200: AlertFeedSerializer,
            304: OpenApiResponse(description="Nothing new since the ETag you sent."),
        },
    )
    def get(self, request):
        query = AlertFeedQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        after, limit = query.validated_data["after"], query.validated_data["limit"]
        visible = alerts_visible_to(request.user)
        filtered = alerts_filtered(request.query_params, queryset=visible)
        page = alerts_feed_page(queryset=filtered, visible=visible, after=after, limit=limit)
        etag = etag_for(ALERTS_REPRESENTATION, request.accepted_renderer.format, page.digest)
        last_modified = page.last_modified or NEVER
        headers = _polling_headers(last_modified=last_modified)
        if _unchanged(request, etag=etag, last_modified=last_modified):
            return _vary(not_modified(etag, **headers))

        alerts = alerts_by_ids(ids=page.ids)
        cursor = page.ids[-1] if page.ids else after
        body = {
            # On the public address, as the ETag (which names no host) must be the body's.
            "next": replace_query_param(absolute_url(request.get_full_path()), "after", cursor),
            "has_more": page.has_more,
            "results": AlertSerializer(alerts, many=True).data,
        }
        return _vary(Response(body, headers={"ETag": etag, **headers}))


class StatsView(StrictQueryParamsMixin, APIView):
    """Counts for dashboards."""

    http_method_names = ["get", "head", "options"]

    @extend_schema(
        operation_id="stats",
        summary="Counts for dashboards",
        description=(
            "Commitments by status, overdue, disputed (sources disagree on a fact), due within "
            "30 and 90 days (open commitments whose deadline ends in that window), and per "
            "tag. Drafts are counted for staff only. Send the ETag back in If-None-Match for a "
            "304 while nothing changed."
        ),
        responses={
            200: StatsSerializer,
            304: OpenApiResponse(description="The counts are those of the ETag you sent."),
        },
    )
    def get(self, request):
        today = tracker_today()
        stats = commitment_stats_cached(user=request.user, today=today)
        body = {"time_zone": settings.TRACKER_TIME_ZONE, **stats, "today": today.isoformat()}
        etag = etag_for(
            STATS_REPRESENTATION,
            request.accepted_renderer.format,
            json.dumps(body, sort_keys=True, cls=DjangoJSONEncoder),
        )
        headers = _polling_headers()
        if _unchanged(request, etag=etag, last_modified=None):
            return _vary(not_modified(etag, **headers))
        return _vary(Response(body, headers={"ETag": etag, **headers}))
