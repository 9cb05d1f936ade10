import re

from django.db import models
from django.utils.translation import gettext_lazy as _

# A BCP 47 language tag, loosely: `en`, `ru`, `tk-Latn`, `zh-Hant-TW`.
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")


class SourceKind(models.TextChoices):
    NEWS_REPORT = "news_report", _("News report")
    OFFICIAL_STATEMENT = "official_statement", _("Official statement")
    LEGAL_ACT = "legal_act", _("Legal act")
    NGO_REPORT = "ngo_report", _("NGO report")
    OTHER = "other", _("Other")
