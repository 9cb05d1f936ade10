"""Translated source titles: a column per language (django-modeltranslation), the English one
filled from the original column, and who wrote each translation."""

from django.db import migrations, models
from django.db.models import F

# The English column of each translated field starts as the original column.
ENGLISH_COPIES = {"source": ["title"], "historicalsource": ["title"]}


def english_columns_fill(apps, schema_editor):
    for model_name, fields in ENGLISH_COPIES.items():
        model = apps.get_model("sources", model_name)
        model.objects.update(**{f"{name}_en": F(name) for name in fields})


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0004_search_in_region_languages"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalsource",
            name="title_en",
            field=models.CharField(max_length=500, null=True),
        ),
        migrations.AddField(
            model_name="historicalsource",
            name="title_ru",
            field=models.CharField(max_length=500, null=True),
        ),
        migrations.AddField(
            model_name="historicalsource",
            name="title_tk",
            field=models.CharField(max_length=500, null=True),
        ),
        migrations.AddField(
            model_name="historicalsource",
            name="translation_origins",
            field=models.JSONField(
                blank=True,
                db_default=models.Value({}, output_field=models.JSONField()),
                default=dict,
                help_text="Who wrote each translation: 'source' (the source itself) or 'project' (the tracker), by language.",
            ),
        ),
        migrations.AddField(
            model_name="source",
            name="title_en",
            field=models.CharField(max_length=500, null=True),
        ),
        migrations.AddField(
            model_name="source",
            name="title_ru",
            field=models.CharField(max_length=500, null=True),
        ),
        migrations.AddField(
            model_name="source",
            name="title_tk",
            field=models.CharField(max_length=500, null=True),
        ),
        migrations.AddField(
            model_name="source",
            name="translation_origins",
            field=models.JSONField(
                blank=True,
                db_default=models.Value({}, output_field=models.JSONField()),
                default=dict,
                help_text="Who wrote each translation: 'source' (the source itself) or 'project' (the tracker), by language.",
            ),
        ),
        migrations.RunPython(english_columns_fill, migrations.RunPython.noop),
    ]
