"""Which language an article is written in, and which of them the assistant reads.

Told apart by letters and common words, which is enough for news text of a paragraph or
more: Cyrillic with Kazakh or Kyrgyz letters is not Russian; Latin with Turkmen letters (ň ý ä
ş ž) and Turkmen words is Turkmen; Uzbek Latin has its oʻ and gʻ. A language the assistant
does not read is named, so staff are told what to do rather than "nothing found".
"""

from __future__ import annotations

import re

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# The languages the rules of intake.wording, intake.deadline_phrases and intake.actors read.
READ = ("en", "ru")

NAMES = {
    "en": _("English"),
    "ru": _("Russian"),
    "tk": _("Turkmen"),
    "kk": _("Kazakh"),
    "ky": _("Kyrgyz"),
    "uz": _("Uzbek"),
    "und": _("an undetermined language"),
}

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_KAZAKH = re.compile(r"[әғқұһіӘҒҚҰҺІ]")  # letters Kazakh has and Kyrgyz has not
_KYRGYZ = re.compile(r"[ңөүҢӨҮ]")  # letters both have
_TURKMEN_LETTERS = re.compile(r"[ňýäşžŇÝÄŞŽ]")
_UZBEK_LETTERS = re.compile(r"\b\w*[og][ʻʼ‘’']\w+")
_TURKMEN_WORDS = re.compile(
    r"\b(?:we|bilen|üçin|boýunça|hem|bu|ýyl\w*|döwlet\w*|ministrligi\w*|halkara|edildi|etmek)\b",
    re.IGNORECASE,
)
_UZBEK_WORDS = re.compile(r"\b(?:va|bilan|uchun|yil\w*|vazirligi\w*)\b", re.IGNORECASE)
_ENGLISH_WORDS = re.compile(r"\b(?:the|and|of|to|in|for|with|on|was|will)\b", re.IGNORECASE)
# Enough of a text to tell its language; the rest is not read for it.
SAMPLE_CHARS = 5000


def language_detect(text: str) -> str:
    """`en`, `ru`, `tk`, `kk`, `ky`, `uz`, or `und` when the text gives too little to tell."""
    sample = text[:SAMPLE_CHARS]
    cyrillic = len(_CYRILLIC.findall(sample))
    latin = len(_LATIN.findall(sample))
    if cyrillic + latin < 20:
        return "und"
    if cyrillic > latin:
        if len(_KAZAKH.findall(sample)) > cyrillic / 200:
            return "kk"
        if len(_KYRGYZ.findall(sample)) > cyrillic / 200:
            return "ky"
        return "ru"
    words = max(1, len(re.findall(r"\w+", sample)))
    turkmen = len(_TURKMEN_LETTERS.findall(sample)) + 3 * len(_TURKMEN_WORDS.findall(sample))
    uzbek = 3 * len(_UZBEK_LETTERS.findall(sample)) + 3 * len(_UZBEK_WORDS.findall(sample))
    english = 3 * len(_ENGLISH_WORDS.findall(sample))
    best = max(("en", english), ("tk", turkmen), ("uz", uzbek), key=lambda item: item[1])
    return best[0] if best[1] >= words / 20 else "und"


def primary_language(tag: str) -> str:
    """A source's language tag's language: "ru" of "ru-RU"."""
    return tag.split("-")[0].lower()


def language_name(code: str) -> str:
    return str(NAMES.get(code, code))


def unread_message(code: str) -> str:
    """What staff are told of a text in a language the assistant does not read."""
    return gettext(
        "This text reads as %(language)s, which the assistant does not read yet (it reads "
        "%(read)s). Add its commitments by hand from the source's page, or add a report of "
        "the same news in one of those languages as a source of its own and suggest from that."
    ) % {"language": language_name(code), "read": ", ".join(language_name(c) for c in READ)}
