"""Renderers: JSON (which passes through JSON PostgreSQL wrote), problem details, CSV (streamed
by the views) and iCalendar."""

from __future__ import annotations

import csv
import io
import json

from rest_framework import renderers
from rest_framework.renderers import BaseRenderer

from config.api.export import csv_cell


class JSONText(str):
    """A body already written as JSON (by PostgreSQL: see commitments_with_api_json). The JSON
    renderer sends it as it is instead of encoding a string."""


class JSONRenderer(renderers.JSONRenderer):
    """DRF's, plus JSONText passed through untouched (re-indented when asked to indent, as
    the browsable API does)."""

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, JSONText):
            if not self.get_indent(accepted_media_type, renderer_context or {}):
                return data.encode("utf-8")
            data = json.loads(data)
        return super().render(data, accepted_media_type, renderer_context)


class ProblemJSONRenderer(JSONRenderer):
    """RFC 9457 problem details. Chosen by the exception handler, never by `?format=`."""

    media_type = "application/problem+json"
    format = "problem+json"


class CSVRenderer(BaseRenderer):
    """`?format=csv` on lists. The list views stream their rows themselves (every row, not one
    page); this renderer exists so that negotiation and the schema know the format, and renders
    a plain list of flat rows when one reaches it (formulas neutralised, as in the exports)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        rows = data if isinstance(data, list) else [data]
        buffer = io.StringIO()
        if rows and isinstance(rows[0], dict):
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows({key: csv_cell(value) for key, value in row.items()} for row in rows)
        return buffer.getvalue().encode("utf-8")


class ICalendarRenderer(BaseRenderer):
    """`text/calendar` (RFC 5545). The view hands over the serialized calendar as bytes."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:  # a 304
            return b""
        return data if isinstance(data, bytes) else str(data).encode("utf-8")


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's, without the syntax-highlighting CSS it writes into a <style> element: the
    Content-Security-Policy allows styles from files only (descriptions' code blocks stay
    unhighlighted)."""

    def get_context(self, data, accepted_media_type, renderer_context) -> dict:
        return {
            **super().get_context(data, accepted_media_type, renderer_context),
            "code_style": None,
        }
