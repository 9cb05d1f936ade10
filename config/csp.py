"""The Content-Security-Policy middleware: django-csp's, on HTML answers only.

The policy (CONTENT_SECURITY_POLICY in the settings) governs documents: the admin, the API
docs, the public pages, the browsable API, Django's error pages. A JSON, CSV or iCalendar
answer, or the docs' init script, is never rendered as a page that could run anything
(`X-Content-Type-Options: nosniff`), so it goes without: django-csp builds the header afresh
for every answer, which the API's hot paths (the alerts poll's 304) need not pay for.
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware


class DocumentCSPMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)
