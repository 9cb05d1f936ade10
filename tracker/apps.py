from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Tracker"

    def ready(self) -> None:
        # The tracker listens to commitments; commitments never imports the tracker.
        from django.db.models.signals import post_save

        from commitments import signals
        from commitments.models import Commitment
        from tracker import receivers

        signals.status_changed.connect(
            receivers.on_status_changed, dispatch_uid="tracker.status_changed"
        )
        signals.deadline_changed.connect(
            receivers.on_deadline_changed, dispatch_uid="tracker.deadline_changed"
        )
        signals.evidence_went_stale.connect(
            receivers.on_evidence_went_stale, dispatch_uid="tracker.evidence_went_stale"
        )
        post_save.connect(
            receivers.on_commitment_saved, sender=Commitment, dispatch_uid="tracker.stats"
        )
        # The stats count disputed commitments; claims are added without saving the row.
        signals.disputes_changed.connect(
            receivers.on_commitment_saved, dispatch_uid="tracker.stats.disputes"
        )
