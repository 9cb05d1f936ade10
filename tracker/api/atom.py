"""The alerts as an Atom feed (RFC 4287), for feed readers and newsroom tools.

A feed reader fetches one URL again and again and keeps what it has seen by entry id, so this
is the newest alerts (not a cursor), newest first, with the alerts feed's filters, its
visibility rule (drafts for staff only) and its validators: the page comes from the same
selector (`alerts_feed_page`), and an unchanged feed is a 304 before any alert is loaded.
The XML is written by Django's own Atom1Feed.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BaseRenderer
from rest_framework.views import APIView

from common.links import absolute_url, public_origin
from common.text import without_control_characters
from common.translations import reader_language
from config.api.conditional import etag_for, not_modified
from config.api.viewsets import StrictQueryParamsMixin
from tracker.api.serializers import FEED_LIMIT_MAX, AlertCommitmentSerializer
from tracker.api.views import (
    FEED_FILTER_PARAMETERS,
    NEVER,
    _polling_headers,
    _unchanged,
    _vary,
)
from tracker.filters import AlertFilter
from tracker.models import Alert
from tracker.selectors import alerts_by_ids, alerts_feed_page, alerts_visible_to

ATOM_REPRESENTATION = "alerts-atom/1"
ATOM_MEDIA_TYPE = "application/atom+xml"
ATOM_ENTRIES_DEFAULT = 50


class AtomRenderer(BaseRenderer):
    """Lets negotiation and the schema know the format; the view writes the XML itself."""

    media_type = ATOM_MEDIA_TYPE
    format = "atom"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return data if isinstance(data, bytes) else str(data or "").encode("utf-8")


def _entry_title(alert: Alert) -> str:
    title = without_control_characters(alert.commitment.title)
    commitment = f"{alert.commitment.reference}: {title}"
    if alert.source_check_id:
        return _("%(kind)s — %(commitment)s") % {
            "kind": alert.get_kind_display(),
            "commitment": commitment,
        }
    if alert.status_change_id:
        change = alert.status_change
        return _("Status changed (%(old)s → %(new)s) — %(commitment)s") % {
            "old": change.old_status,
            "new": change.new_status,
            "commitment": commitment,
        }
    if alert.kind == "party_overdue":
        return _("%(party)s's part overdue (deadline %(day)s) — %(commitment)s") % {
            "party": without_control_characters(alert.party.actor.name),
            "day": f"{alert.last_day:%Y-%m-%d}",
            "commitment": commitment,
        }
    if alert.kind == "evidence_stale":
        return _("Evidence stale (newest %(day)s) — %(commitment)s") % {
            "day": f"{alert.last_day:%Y-%m-%d}",
            "commitment": commitment,
        }
    return _("%(kind)s (deadline %(day)s) — %(commitment)s") % {
        "kind": alert.get_kind_display(),
        "day": f"{alert.last_day:%Y-%m-%d}",
        "commitment": commitment,
    }


def _entry_description(alert: Alert) -> str:
    if alert.kind == "overdue":
        return _("The deadline ended on %(day)s and the commitment is open.") % {
            "day": f"{alert.last_day:%Y-%m-%d}"
        }
    if alert.kind == "due_soon":
        return _("The deadline ends on %(day)s.") % {"day": f"{alert.last_day:%Y-%m-%d}"}
    if alert.kind == "party_overdue":
        return _("The deadline ended on %(day)s and %(party)s's own part is still %(status)s.") % {
            "day": f"{alert.last_day:%Y-%m-%d}",
            "party": without_control_characters(alert.party.actor.name),
            "status": alert.party.status,
        }
    if alert.kind == "evidence_stale":
        return _(
            "Nobody has confirmed its status since the newest evidence, of %(day)s: it is "
            "old, or older than the deadline that passed."
        ) % {"day": f"{alert.last_day:%Y-%m-%d}"}
    if alert.kind == "source_gone":
        check = alert.source_check
        why = check.get_reason_display()
        if check.http_status:
            why = _("%(reason)s (HTTP %(status)s)") % {"reason": why, "status": check.http_status}
        return _("A page cited as its evidence no longer answers: %(url)s. %(reason)s") % {
            "url": check.url,
            "reason": why,
        }
    if alert.kind == "source_changed":
        count = alert.source_check.quotes_missing
        return ngettext(
            "A page cited as its evidence no longer holds %(count)s quoted passage: %(url)s.",
            "A page cited as its evidence no longer holds %(count)s quoted passages: %(url)s.",
            count,
        ) % {"url": alert.source_check.url, "count": count}
    change = alert.status_change
    said = _("The status went from %(old)s to %(new)s, effective %(day)s.") % {
        "old": change.old_status,
        "new": change.new_status,
        "day": f"{change.effective_on:%Y-%m-%d}",
    }
    if change.reason:
        said += " " + _("Reason: %(reason)s.") % {"reason": change.get_reason_display()}
    return said


def _commitment_link(alert: Alert) -> str:
    """The commitment's public page when the API names one (`html_url`: people read feeds),
    else its API record; on the public address, as the ETag (which has no host) assumes."""
    page = AlertCommitmentSerializer(alert.commitment).data.get("html_url")
    return absolute_url(page or reverse("commitment-detail", args=[alert.commitment_id]))


def _tag_uri(specific: str, day) -> str:
    """An RFC 4151 tag URI on the service's public host name: an entry keeps its id whatever
    host name the feed was fetched under (a reader would otherwise show it again)."""
    return f"tag:{urlsplit(public_origin()).hostname},{day:%Y-%m-%d}:{specific}"


class _AlertsAtomFeed(Atom1Feed):
    """Atom1Feed whose <updated> is the page's Last-Modified (which counts edits of the
    alerts' commitments too), not only the newest entry's date."""

    def __init__(self, *args, updated, **kwargs):
        super().__init__(*args, **kwargs)
        self._updated = updated

    def latest_post_date(self):
        return self._updated


class AlertAtomFeedView(StrictQueryParamsMixin, APIView):
    """The newest alerts as Atom."""

    http_method_names = ["get", "head", "options"]
    renderer_classes = [AtomRenderer]
    extra_query_params = ("limit", *AlertFilter.base_filters)

    @extend_schema(
        operation_id="alerts_atom",
        summary="The alerts as an Atom feed",
        description=(
            "The newest alerts (overdue, due soon, status changed), newest first, as an Atom "
            "(RFC 4287) document, each entry linking to its commitment. Takes the alerts "
            "feed's filters. Send the ETag back in If-None-Match for a 304 while nothing "
            "changed. Alerts of draft commitments are shown to staff only."
        ),
        parameters=[
            OpenApiParameter(
                "limit",
                int,
                description=f"The most entries (default {ATOM_ENTRIES_DEFAULT}, at most "
                f"{FEED_LIMIT_MAX}).",
            ),
            *FEED_FILTER_PARAMETERS,
        ],
        responses={
            (200, ATOM_MEDIA_TYPE): OpenApiResponse(
                {"type": "string"}, description="An Atom 1.0 document."
            ),
            304: OpenApiResponse(description="Nothing new since the ETag you sent."),
        },
    )
    def get(self, request):
        limit = self._limit(request)
        visible = alerts_visible_to(request.user)
        filters = AlertFilter(request.query_params, queryset=visible)
        if not filters.is_valid():
            raise ValidationError(filters.errors)
        page = alerts_feed_page(
            queryset=filters.qs, visible=visible, after=0, limit=limit, newest_first=True
        )
        # The links and ids are on the public address: another one is another body.
        etag = etag_for(ATOM_REPRESENTATION, public_origin(), page.digest)
        last_modified = page.last_modified or NEVER
        headers = _polling_headers(last_modified=last_modified)
        if _unchanged(request, etag=etag, last_modified=last_modified):
            return _vary(not_modified(etag, **headers))

        # Newest first, the page holds one alert more than shown: the oldest, dropped here.
        newest = page.alert_ids[-limit:]
        feed = self._feed(request, alerts_by_ids(ids=newest), updated=last_modified)
        response = HttpResponse(
            feed.writeString("utf-8"), content_type=f"{ATOM_MEDIA_TYPE}; charset=utf-8"
        )
        for name, value in {"ETag": etag, **headers}.items():
            response[name] = value
        return _vary(response)

    def _limit(self, request) -> int:
        raw = request.query_params.get("limit", str(ATOM_ENTRIES_DEFAULT))
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= FEED_LIMIT_MAX:
            raise ValidationError(
                {"limit": [f"Must be a whole number from 1 to {FEED_LIMIT_MAX}."]},
                code="invalid",
            )
        return int(raw)

    def _feed(self, request, alerts: list[Alert], *, updated) -> Atom1Feed:
        feed_url = absolute_url(request.get_full_path())
        feed = _AlertsAtomFeed(
            updated=updated,
            title=_("Commitment tracker: alerts"),
            link=absolute_url(reverse("alert-feed")),
            feed_url=feed_url,
            description=_("Commitments that became overdue, came due soon, or changed status."),
            language=reader_language(),
            feed_guid=_tag_uri("alerts", NEVER),
        )
        for alert in reversed(alerts):  # newest first, as feed readers list them
            link = _commitment_link(alert)
            feed.add_item(
                title=_entry_title(alert),
                link=link,
                description=_entry_description(alert),
                unique_id=_tag_uri(f"alert-{alert.pk}", alert.created_at),
                pubdate=alert.created_at,
                updateddate=alert.created_at,
                categories=[alert.kind],
            )
        return feed
