from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """Staff intake: commitments suggested from a source's text, status changes from a CSV."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "intake"
    verbose_name = "Staff intake"
