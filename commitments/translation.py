"""The translated fields of actors and commitments (django-modeltranslation): a column per
language of settings.LANGUAGES, for the record and its history (common/translations.py)."""

from modeltranslation.translator import TranslationOptions, translator

from commitments.models import Actor, Commitment


class ActorTranslation(TranslationOptions):
    fields = ("name", "short_name")


class CommitmentTranslation(TranslationOptions):
    fields = ("title", "description")


# The history records copy every column, the translations included.
translator.register([Actor, Actor.history.model], ActorTranslation)
translator.register([Commitment, Commitment.history.model], CommitmentTranslation)
