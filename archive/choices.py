"""The archive's vocabularies."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LinkState(models.TextChoices):
    # Not fetched yet: a worker will (or has no network access and recorded why).
    PENDING = "pending", _("Not archived yet")
    # Archived, and the last check found the page with every quoted passage in it.
    OK = "ok", _("Archived, live")
    # The last capture attempt failed, fewer times in a row than make it gone.
    FAILING = "failing", _("Last check failed")
    # A passage quoted from it (found in an earlier capture) missing for several checks.
    CHANGED = "changed", _("Changed: a quoted passage is gone")
    # No answer, an error status or a name that no longer resolves, for several checks.
    GONE = "gone", _("Gone")


class CheckOutcome(models.TextChoices):
    # A new capture was taken (the first, or the page changed).
    CAPTURED = "captured", _("Captured")
    # The page answered 304, or the same bytes as the last capture.
    UNCHANGED = "unchanged", _("Unchanged")
    # No capture: refused, no answer, an error status, too large or too slow.
    FAILED = "failed", _("Failed")


# The states a source is flagged in: staff look at it, readers are told.
FLAGGED_STATES: tuple[str, ...] = (LinkState.CHANGED.value, LinkState.GONE.value)
