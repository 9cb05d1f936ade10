"""Admin forms of translated records: every language's text side by side, and who wrote it.

A form shows a translated field by its columns (`title_en`, `title_ru`, `title_tk`), never by
the plain name: that reads in the staff member's own language, and a Russian-speaking editor
would see, and save, the Russian text in the English box. `service_data` turns the form's
data back into what a service takes: English under the plain names, the rest as
`translations` (common.translations.translations_apply).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django import forms
from django.db.models import Model
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.translations import (
    BASE_LANGUAGE,
    LANGUAGE_CODES,
    TRANSLATION_LANGUAGES,
    Origin,
    localized,
    origin_of,
    translated_fields,
)


def origin_field_name(language: str) -> str:
    return f"translation_origin_{language}"


def form_field_names(model: type[Model], names: Iterable[str]) -> list[str]:
    """`names` with each translated field replaced by its column in every language."""
    translated = set(translated_fields(model))
    expanded: list[str] = []
    for name in names:
        if name in translated:
            expanded += [localized(name, language) for language in LANGUAGE_CODES]
        else:
            expanded.append(name)
    return expanded


def admin_field_rows(model: type[Model], names: Iterable[str]) -> tuple:
    """The admin's `fields` for `names`: a translated field's languages on one row (side by
    side), and after them a row saying who wrote each translation."""
    translated = set(translated_fields(model))
    rows: list = []
    for name in names:
        if name in translated:
            rows.append(tuple(localized(name, language) for language in LANGUAGE_CODES))
        else:
            rows.append(name)
    if translated:
        rows.append(tuple(origin_field_name(language) for language in TRANSLATION_LANGUAGES))
    return tuple(rows)


def service_data(model: type[Model], data: Mapping) -> tuple[dict, dict]:
    """A form's `data` (column names, origins) as a service takes it: (the fields, English
    under the plain names; `translations` by language)."""
    fields: dict = {}
    translations: dict[str, dict] = {}
    columns = {
        localized(name, language): (name, language)
        for name in translated_fields(model)
        for language in LANGUAGE_CODES
    }
    origins = {origin_field_name(language): language for language in TRANSLATION_LANGUAGES}
    for key, value in data.items():
        if key in columns:
            name, language = columns[key]
            if language == BASE_LANGUAGE:
                fields[name] = value
            else:
                translations.setdefault(language, {})[name] = value or ""
        elif key in origins:
            if value:
                translations.setdefault(origins[key], {})["origin"] = value
        else:
            fields[key] = value
    return fields, translations


def _origin_label(language: str) -> str:
    return gettext("Translation (%(language)s) by") % {"language": language}


def _origin_field(language: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        # Lazy: `%` on a lazy string translates it at once, in the language of the import.
        label=lazy(_origin_label, str)(language),
        choices=[("", "—"), *Origin.choices],
        required=False,
        help_text=_("Who wrote this language's text: the source itself, or the tracker."),
    )


class _TranslationOrigins(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for language in TRANSLATION_LANGUAGES:
            name = origin_field_name(language)
            if name in self.fields and self.instance.pk:
                self.fields[name].initial = origin_of(self.instance, language) or ""


# A model form with a choice, per language, of who wrote its translation: declared fields
# (made here, one a language), as the admin's `fields` need them to be.
TranslationOriginsForm = type(
    "TranslationOriginsForm",
    (_TranslationOrigins,),
    {
        "__module__": __name__,
        **{
            origin_field_name(language): _origin_field(language)
            for language in TRANSLATION_LANGUAGES
        },
    },
)
