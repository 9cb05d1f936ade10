"""The pages in the reader's language: the language switcher and alternates, translated
fields marked as a translation or as English left untranslated, and dates as the reader's
language writes them (pages.formats)."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.db import models
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.encoding import escape_uri_path
from django.utils.html import format_html
from django.utils.translation import gettext as _

from common.links import absolute_url
from common.translations import Origin, origin_of, text_in
from pages import formats

register = template.Library()


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in the language itself
    path: str  # this page (and its query) in that language
    url: str  # the same, absolute, on TRACKER_PUBLIC_URL
    is_current: bool


def _without_language(path: str) -> str:
    """`/ru/commitments/X/?q=1` → `/commitments/X/?q=1`: the address that redirects to the
    reader's own language."""
    for code, _name in settings.LANGUAGES:
        prefix = f"/{code}/"
        if path.startswith(prefix):
            return path[len(prefix) - 1 :]
    return path


def _here(request) -> str:
    """This page's path and query, the query from its parsed values: a raw UTF-8 query
    string (curl sends one) would be taken for Latin-1 by get_full_path()."""
    query = request.GET.urlencode()
    return escape_uri_path(request.path) + (f"?{query}" if query else "")


@register.simple_tag(takes_context=True)
def page_languages(context) -> list[Language]:
    """This page in each of the tracker's languages, the current one marked."""
    request = context["request"]
    here = _here(request)
    current = translation.get_language()
    languages = []
    for code, name in settings.LANGUAGES:
        if context.get("not_found"):
            # Nothing here to read in another language, and a draft's address must answer
            # exactly as one that does not exist: each language's overview.
            with translation.override(code):
                path = reverse("pages:overview")
        else:
            path = translate_url(here, code)
        languages.append(Language(code, name, path, absolute_url(path), code == current))
    return languages


@register.simple_tag(takes_context=True)
def page_x_default(context) -> str:
    """The absolute address of this page without a language: it redirects by
    Accept-Language (hreflang x-default)."""
    return absolute_url(_without_language(_here(context["request"])))


@dataclass(frozen=True)
class Shown:
    """A translated field as a reader of the page's language gets it."""

    text: str
    language: str  # the language the text is in
    page_language: str
    origin: str | None  # of the text given (an Origin), None for the original

    @property
    def is_fallback(self) -> bool:
        return bool(self.text) and self.language != self.page_language

    @property
    def is_translation(self) -> bool:
        return bool(self.text) and self.origin == Origin.PROJECT

    def __str__(self) -> str:
        return self.text


def shown(instance: models.Model, field: str) -> Shown:
    page_language = translation.get_language()
    text, language = text_in(instance, field, page_language)
    # Of this field alone: a list loads only the fields it shows.
    return Shown(text, language, page_language, origin_of(instance, language, (field,)))


@register.simple_tag(name="shown")
def shown_tag(instance: models.Model, field: str) -> Shown:
    """`{% shown commitment "title" as title %}`: the text, its language and who wrote it."""
    return shown(instance, field)


@register.simple_tag
def field(instance: models.Model, name: str):
    """The field's text in the page's language; English where there is no translation,
    marked `lang="en"` so that it is read out in English."""
    value = shown(instance, name)
    if value.is_fallback:
        return format_html('<span lang="{}">{}</span>', value.language, value.text)
    return value.text


@register.simple_tag
def translation_note(instance: models.Model, name: str):
    """After a translated field: "translated by the tracker" for a project translation,
    "not yet translated" where English stands in; nothing for the original."""
    value = shown(instance, name)
    if value.is_fallback:
        return format_html(
            '<small class="translation-note fallback">{}</small>',
            _("in English: not yet translated"),
        )
    if value.is_translation:
        return format_html(
            '<small class="translation-note">{}</small>', _("translated by the tracker")
        )
    return ""


@register.simple_tag
def record_text(text):
    """Text staff wrote in the record's own language (English: a deadline as stated, a note),
    marked `lang="en"` on a page in another language so that it is read out in English."""
    if not text or translation.get_language() == settings.LANGUAGE_CODE:
        return text
    return format_html('<span lang="{}">{}</span>', settings.LANGUAGE_CODE, text)


@register.filter
def long_date(value) -> str:
    return formats.long_date(value)


@register.filter
def short_date(value) -> str:
    return formats.short_date(value)
