"""The admin's source form: the title in every language, who wrote each translation, and the
text as published (never translated)."""

from common.forms import TranslationOriginsForm, form_field_names
from sources.fields import SOURCE_FIELDS
from sources.models import Source


class SourceAdminForm(TranslationOriginsForm):
    class Meta:
        model = Source
        fields = form_field_names(Source, SOURCE_FIELDS.editable)
