"""How the public pages write a day, by language.

The admin keeps one ISO format in every language (config/formats/); a reader gets the
day as their language's press writes it: "1 December 2024", "1 декабря 2024",
"1-nji dekabr 2024 ý.". The short form is for lists and meta lines.

Turkmen writes a day of the month as an ordinal ("1-nji", "6-njy") whose suffix follows the
vowel harmony of the number's last word, which no Django format character gives.
"""

from __future__ import annotations

from datetime import date

from django.utils import dateformat, translation
from django.utils.dates import MONTHS

# Django date-format strings (the `date` filter's syntax), by language.
LONG_FORMATS = {"en": "j F Y", "ru": "j E Y"}
SHORT_FORMATS = {"en": "j M Y", "ru": "d.m.Y", "tk": "d.m.Y"}

# The last spoken word of 1..9 and of the tens 10..90 in Turkmen, back-vowel ones take -njy:
# alty (6), dokuz (9), on (10), otuz (30), kyrk (40), altmyş (60), togsan (90).
_TK_BACK_UNITS = {6, 9}
_TK_BACK_TENS = {1, 3, 4, 6, 9}


def turkmen_ordinal_suffix(number: int) -> str:
    """ "nji" or "njy" for `number` written as a Turkmen ordinal in figures."""
    if number % 10:
        return "njy" if number % 10 in _TK_BACK_UNITS else "nji"
    if number % 100:
        return "njy" if (number // 10) % 10 in _TK_BACK_TENS else "nji"
    return "nji"  # ýüz (100), müň (1000): front vowels


# Turkmen months, lower case as written in running text (Türkmen dili).
TK_MONTHS = {
    1: "ýanwar",
    2: "fewral",
    3: "mart",
    4: "aprel",
    5: "maý",
    6: "iýun",
    7: "iýul",
    8: "awgust",
    9: "sentýabr",
    10: "oktýabr",
    11: "noýabr",
    12: "dekabr",
}
assert set(TK_MONTHS) == set(MONTHS)


def _language() -> str:
    return (translation.get_language() or "en").split("-")[0]


def long_date(day: date | None) -> str:
    if day is None:
        return ""
    language = _language()
    if language == "tk":
        return f"{day.day}-{turkmen_ordinal_suffix(day.day)} {TK_MONTHS[day.month]} {day.year} ý."
    return dateformat.format(day, LONG_FORMATS.get(language, LONG_FORMATS["en"]))


def short_date(day: date | None) -> str:
    if day is None:
        return ""
    return dateformat.format(day, SHORT_FORMATS.get(_language(), SHORT_FORMATS["en"]))
