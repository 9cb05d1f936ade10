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


class FailureReason(models.TextChoices):
    """Why a fetch brought no page, as a reader is told it (the check's `error` says it in
    the archive's own words, for staff)."""

    REFUSED = (
        "refused",
        _("The address is not one the archive may fetch: a private network, or not http(s)."),
    )
    UNRESOLVED = "unresolved", _("The site's name does not resolve.")
    NO_ANSWER = "no_answer", _("The site did not answer.")
    TOO_SLOW = "too_slow", _("The page did not arrive in time.")
    ERROR_STATUS = "error_status", _("The site answered with an error.")
    TOO_LARGE = "too_large", _("The page is larger than the archive keeps.")
    UNREADABLE = "unreadable", _("The page came in a form the archive does not read.")
    REDIRECTS = "redirects", _("The page redirects too many times, or nowhere.")


# The states a source is flagged in: staff look at it, readers are told.
FLAGGED_STATES: tuple[str, ...] = (LinkState.CHANGED.value, LinkState.GONE.value)
