from django.db import models


class SourceKind(models.TextChoices):
    NEWS_REPORT = "news_report", "News report"
    OFFICIAL_STATEMENT = "official_statement", "Official statement"
    LEGAL_ACT = "legal_act", "Legal act"
    NGO_REPORT = "ngo_report", "NGO report"
    OTHER = "other", "Other"
