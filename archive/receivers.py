"""What the archive does when a source or a citation is saved: a new URL is a page to
capture once the save commits; a new citation is checked against the newest capture."""

from functools import partial

from django.conf import settings
from django.db import transaction

from archive.choices import LinkState
from archive.services import quote_check_citation, source_link_sync
from archive.tasks import source_check_enqueue


def on_source_saved(sender, instance, raw=False, **kwargs) -> None:
    if raw:  # loaddata: rows as they were, no side effects
        return
    link = source_link_sync(source=instance)
    fresh = link is not None and link.state == LinkState.PENDING and link.last_checked_at is None
    if fresh and settings.ARCHIVE_CAPTURE_ON_SAVE:
        transaction.on_commit(partial(source_check_enqueue, source_id=instance.pk))


def on_citation_saved(sender, instance, created=False, raw=False, **kwargs) -> None:
    if created and not raw:
        quote_check_citation(citation=instance)
