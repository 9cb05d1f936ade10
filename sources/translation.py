"""The translated field of sources (django-modeltranslation): the title, a column per
language of settings.LANGUAGES, for the record and its history (common/translations.py).
The text is never translated: quotes are checked against it as published."""

from modeltranslation.translator import TranslationOptions, translator

from sources.models import Source


class SourceTranslation(TranslationOptions):
    fields = ("title",)


translator.register([Source, Source.history.model], SourceTranslation)
