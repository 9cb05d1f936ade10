"""The admin in the tracker's time zone.

"Today" for deadlines is the date in TRACKER_TIME_ZONE (Asia/Ashgabat by default); an admin
showing times in UTC beside it made an evening change look like the next day's. Only the
admin is switched: the API writes UTC timestamps, as its JSON built in SQL does.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone


class AdminTimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.zone = ZoneInfo(settings.TRACKER_TIME_ZONE)
        self.admin_prefix = None  # resolved on the first request, once the URLconf is loaded

    def __call__(self, request):
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        if not request.path.startswith(self.admin_prefix):
            return self.get_response(request)
        timezone.activate(self.zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
