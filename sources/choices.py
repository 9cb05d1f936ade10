import re

from django.db import models

# A BCP 47 language tag, loosely: `en`, `ru`, `tk-Latn`, `zh-Hant-TW`.
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")


class SourceKind(models.TextChoices):
    NEWS_REPORT = "news_report", "News report"
    OFFICIAL_STATEMENT = "official_statement", "Official statement"
    LEGAL_ACT = "legal_act", "Legal act"
    NGO_REPORT = "ngo_report", "NGO report"
    OTHER = "other", "Other"
