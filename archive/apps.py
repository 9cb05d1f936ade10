from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = _("Archive")

    def ready(self) -> None:
        # The archive listens to sources and citations; neither imports the archive.
        from django.db.models.signals import post_save

        from archive import receivers
        from commitments.models import Citation
        from sources.models import Source

        post_save.connect(receivers.on_source_saved, sender=Source, dispatch_uid="archive.source")
        post_save.connect(
            receivers.on_citation_saved, sender=Citation, dispatch_uid="archive.citation"
        )
