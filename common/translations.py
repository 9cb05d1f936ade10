"""Content in the tracker's languages, and where each translation came from.

A translated field (a commitment's title, an actor's name, ...) has a column per language of
settings.LANGUAGES, made by django-modeltranslation from each app's translation.py: `title`
reads in the active language and falls back to English, the original; `title_ru` is the
Russian column. A record says in `translation_origins` who wrote each translation: the
source itself ("source": a ministry's own Russian version) or the project ("project", shown
to readers as "translated by the tracker"). English, the original, has an entry only when it
is itself a translation (a Russian source's title put into English by the project).

Services take English under the plain names (`title`), written to the English column
(`base_language_data`), and the other languages through `translations_apply`, never through
the active language: a staff member reading the admin in Russian must not turn an English
title into a Russian one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import build_localized_fieldname

BASE_LANGUAGE = settings.LANGUAGE_CODE
LANGUAGE_CODES: tuple[str, ...] = tuple(code for code, _name in settings.LANGUAGES)
# The languages a translation may be written in: every one but the original.
TRANSLATION_LANGUAGES: tuple[str, ...] = tuple(c for c in LANGUAGE_CODES if c != BASE_LANGUAGE)


def reader_language() -> str:
    """The active language if the tracker speaks it, else English."""
    language = (translation.get_language() or BASE_LANGUAGE).split("-")[0]
    return language if language in LANGUAGE_CODES else BASE_LANGUAGE


class Origin(models.TextChoices):
    SOURCE = "source", _("as given by the source")
    PROJECT = "project", _("translated by the tracker")


def translated_fields(model: type[models.Model]) -> tuple[str, ...]:
    """The translated fields of `model` (its translation.py), in the model's order."""
    try:
        names = translator.get_options_for_model(model).all_fields
    except NotRegistered:
        return ()
    return tuple(f.name for f in model._meta.concrete_fields if f.name in names)


def localized(field: str, language: str) -> str:
    """The column of `field` in `language`: `title`, "ru" → `title_ru`."""
    return build_localized_fieldname(field, language)


def localized_columns(model: type[models.Model]) -> tuple[str, ...]:
    """Every per-language column of `model`'s translated fields."""
    return tuple(
        localized(field, language)
        for field in translated_fields(model)
        for language in LANGUAGE_CODES
    )


def with_translations(model: type[models.Model], names: tuple[str, ...]) -> tuple[str, ...]:
    """`names` and, after each translated field, its per-language columns (and who wrote
    them): for `.only()`, so that reading a field in any language needs no second query."""
    translated = set(translated_fields(model))
    expanded: list[str] = []
    for name in names:
        expanded.append(name)
        if name in translated:
            expanded += [localized(name, language) for language in LANGUAGE_CODES]
    if translated & set(names):
        expanded.append("translation_origins")
    return tuple(expanded)


def base_language_data(model: type[models.Model], data: Mapping) -> dict:
    """`data` with each translated field named by its English column (`title` → `title_en`),
    so that setting it writes English whatever the active language."""
    translated = set(translated_fields(model))
    return {
        (localized(name, BASE_LANGUAGE) if name in translated else name): value
        for name, value in data.items()
    }


def text_in(instance: models.Model, field: str, language: str) -> tuple[str, str]:
    """The text of `field` in `language` and the language it is in: English when there is
    no translation."""
    text = getattr(instance, localized(field, language), None)
    if text:
        return text, language
    return getattr(instance, localized(field, BASE_LANGUAGE)) or "", BASE_LANGUAGE


def origin_of(
    instance: models.Model, language: str, fields: tuple[str, ...] | None = None
) -> str | None:
    """Who wrote `instance`'s text in `language` (of `fields`, by default every translated
    field): an Origin, or None for the original."""
    origins = getattr(instance, "translation_origins", None) or {}
    if language in origins:
        return origins[language]
    if language == BASE_LANGUAGE:
        return None
    fields = translated_fields(type(instance)) if fields is None else fields
    has_text = any(getattr(instance, localized(f, language), None) for f in fields)
    return Origin.PROJECT if has_text else None


def translation_state(
    instance: models.Model, language: str, fields: tuple[str, ...] | None = None
) -> dict:
    """What a reader of `language` is given of `fields` (by default every translated field):
    the language asked for, who wrote its text, and the fields given in English instead (no
    translation)."""
    fields = translated_fields(type(instance)) if fields is None else fields
    return {
        "language": language,
        "origin": origin_of(instance, language, fields),
        # Given in English instead: a field with no text in any language falls back to none.
        "fallback": [
            f
            for f in fields
            if not getattr(instance, localized(f, language), None)
            and getattr(instance, localized(f, BASE_LANGUAGE), None)
        ],
    }


def translations_of(instance: models.Model) -> dict:
    """Every language's text of `instance`, with its origin: `{"ru": {"title": …, "origin":
    "project"}, …}`; a field with no text is an empty string."""
    fields = translated_fields(type(instance))
    return {
        language: {
            **{f: getattr(instance, localized(f, language), None) or "" for f in fields},
            "origin": origin_of(instance, language),
        }
        for language in LANGUAGE_CODES
    }


def translations_apply(
    instance: models.Model, translations: Mapping, *, fields_sent: Iterable[str] = ()
) -> None:
    """Set the translations of `instance` (not saved) from `{"ru": {"title": …, "origin":
    "source"}, …}`: a field left out is kept, an empty one removed; `origin` defaults to
    "project". English is the fields' own: its entry may say who wrote it, or repeat it as
    GET showed it (or be anything, for a field also in `fields_sent`, the write's own plain
    fields: they win). Every problem is a ValidationError under `translations`, naming the
    language and the field."""
    errors: dict[str, list[str]] = {}
    sent = set(fields_sent)
    model = type(instance)
    fields = translated_fields(model)
    origins = dict(getattr(instance, "translation_origins", None) or {})
    if not isinstance(translations, Mapping):
        raise ValidationError({"translations": [_("Expected an object keyed by language.")]})
    for language, values in translations.items():
        where = f"translations.{language}"
        if language not in LANGUAGE_CODES:
            errors[where] = [
                _("Unknown language; one of: %(languages)s.")
                % {"languages": ", ".join(LANGUAGE_CODES)}
            ]
            continue
        if not isinstance(values, Mapping):
            errors[where] = [_("Expected an object of fields.")]
            continue
        for name in sorted(set(values) - {*fields, "origin"}):
            errors[f"{where}.{name}"] = [
                _("Not a translated field; one of: %(fields)s.") % {"fields": ", ".join(fields)}
            ]
        origin = values.get("origin")
        if origin is not None and origin not in Origin.values:
            errors[f"{where}.origin"] = [
                _("One of: %(origins)s.") % {"origins": ", ".join(Origin.values)}
            ]
        elif origin is not None:
            origins[language] = origin
        elif language == BASE_LANGUAGE:
            origins.pop(language, None)  # null: the original
        for name in fields:
            if name not in values:
                continue
            text = values[name]
            if text is not None and not isinstance(text, str):
                errors[f"{where}.{name}"] = [_("Expected a string.")]
                continue
            if language == BASE_LANGUAGE:
                # What GET returned may be sent back; another English is the field's own.
                current = getattr(instance, localized(name, language)) or ""
                if name not in sent and (text or "") != current:
                    errors[f"{where}.{name}"] = [
                        _("English is the original: send it in the field itself.")
                    ]
                continue
            max_length = model._meta.get_field(name).max_length
            if max_length and text and len(text) > max_length:
                errors[f"{where}.{name}"] = [
                    _("At most %(max)d characters (it has %(length)d).")
                    % {"max": max_length, "length": len(text)}
                ]
                continue
            setattr(instance, localized(name, language), (text or "").strip() or None)
    for language, values in translations.items():
        has_text = any(getattr(instance, localized(f, language), None) for f in fields)
        said = isinstance(values, Mapping) and values.get("origin") is not None
        if said and language != BASE_LANGUAGE and not has_text and language in LANGUAGE_CODES:
            errors.setdefault(f"translations.{language}.origin", []).append(
                _("There is no text in this language to say who wrote.")
            )
    if errors:
        raise ValidationError(errors)
    # A translation with no origin said is the tracker's; a language with no text left has
    # no origin.
    for language in TRANSLATION_LANGUAGES:
        if any(getattr(instance, localized(f, language), None) for f in fields):
            origins.setdefault(language, Origin.PROJECT)
        else:
            origins.pop(language, None)
    instance.translation_origins = origins


class TranslatedModel(models.Model):
    """A model with translated fields (registered in its app's translation.py)."""

    translation_origins = models.JSONField(
        default=dict,
        # Also in the database: rows written in bulk (the bench's data) need none.
        db_default=models.Value({}, output_field=models.JSONField()),
        blank=True,
        help_text="Who wrote each translation: 'source' (the source itself) or 'project' "
        "(the tracker), by language.",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # The original column and the history record are written in English, whatever the
        # language of the request (a translated field reads in the active language).
        with translation.override(BASE_LANGUAGE):
            super().save(*args, **kwargs)
