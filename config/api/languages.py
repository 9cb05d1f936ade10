"""The language of an API answer: `?lang=` (which wins), else `Accept-Language`, else English.

It is active while the view runs and its answer is rendered, so every translated field (in
JSON, CSV, iCalendar and Atom alike) is in it, falling back to English field by field. The
answer says `Content-Language` and varies on `Accept-Language`. A session's language cookie
is not read: the front door's cache keys on the header alone (deploy/nginx).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from common.translations import BASE_LANGUAGE, LANGUAGE_CODES
from config.api.links import is_api_path

LANG_PARAM = "lang"


def supported_language(tag: str) -> str | None:
    """The tracker's language for a BCP 47 tag (`ru-RU` → `ru`), or None."""
    try:
        return translation.get_supported_language_variant(tag.strip().lower())
    except LookupError:
        return None


# Longer headers are read up to here (a browser sends a few dozen characters).
ACCEPT_LANGUAGE_MAX = 1000


def accepted_language(header: str) -> str:
    """The language of an Accept-Language header, by weight, that the tracker speaks: a tag
    weighted 0 is refused, a malformed item skipped (Django's parser drops the whole header
    for one), and English when none fits."""
    weighted = []
    for position, item in enumerate(header[:ACCEPT_LANGUAGE_MAX].split(",")):
        parsed = translation.trans_real.parse_accept_lang_header(item.strip())
        if parsed:
            tag, weight = parsed[0]
            weighted.append((-weight, position, tag))
    for weight, _position, tag in sorted(weighted):
        if weight < 0 and tag != "*" and (language := supported_language(tag)):
            return language
    return BASE_LANGUAGE


def lang_param_problem(value: str) -> str | None:
    """Why `?lang=value` is refused, or None."""
    if supported_language(value) is None:
        return _("Unknown language %(value)r: one of %(languages)s.") % {
            "value": value[:20],
            "languages": ", ".join(LANGUAGE_CODES),
        }
    return None


def request_language(request) -> str:
    values = request.GET.getlist(LANG_PARAM)
    if len(values) == 1 and lang_param_problem(values[0]) is None:
        return supported_language(values[0])
    return accepted_language(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))


class ApiLanguageMiddleware:
    """The API's language for the whole request (a bad `?lang=` is refused by the views,
    config.api.viewsets, in English)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api_path(request):
            return self.get_response(request)
        language = request_language(request)
        request.LANGUAGE_CODE = language
        with translation.override(language):
            response = self.get_response(request)
        if not response.has_header("Content-Language"):
            response["Content-Language"] = language
        patch_vary_headers(response, ("Accept-Language",))
        return response


def in_active_language(chunks: Iterable) -> Iterator:
    """`chunks` made in the language active now: a streamed body is written after the view
    has returned, when the request's language is no longer active."""
    language = translation.get_language()

    def made() -> Iterator:
        with translation.override(language):
            yield from chunks

    return made()
