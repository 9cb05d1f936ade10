from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.translations import TranslatedModel
from sources.choices import SourceKind


class Source(TranslatedModel):
    """A document that evidence is quoted from. Its text is kept whole, with a SHA-256 of it."""

    title = models.CharField(max_length=500)
    publisher = models.CharField(max_length=300, blank=True)
    author = models.CharField(max_length=300, blank=True)
    # Unique when given; many sources (a printed statement) have none.
    url = models.URLField(max_length=1000, null=True, blank=True, unique=True)
    published = models.CharField(
        max_length=10,
        blank=True,
        help_text=_("Partial date: YYYY-MM-DD, YYYY-MM, YYYY, or empty when unknown."),
    )
    # The first day of `published`, so that sources order and filter by date.
    published_on = models.DateField(null=True, blank=True, editable=False, db_index=True)
    kind = models.CharField(max_length=32, choices=SourceKind.choices)
    language = models.CharField(max_length=35, default="en", help_text=_("BCP 47 language tag."))
    text = models.TextField(help_text=_("The full text, exactly as published."))
    text_sha256 = models.CharField(max_length=64, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_vector"])

    class Meta:
        ordering = ["-published_on", "id"]
        indexes = [GinIndex(fields=["search_vector"], name="source_search_gin")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=SourceKind.values), name="source_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(text_sha256__regex=r"^[0-9a-f]{64}$"),
                name="source_text_sha256_is_hex",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.publisher or 'unknown publisher'}, {self.published or 'n.d.'})"
