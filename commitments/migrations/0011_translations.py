"""Translated names, titles and descriptions: a column per language (django-modeltranslation),
the English one filled from the original column, and who wrote each translation."""

from django.db import migrations, models
from django.db.models import F

# The English column of each translated field starts as the original column.
ENGLISH_COPIES = {
    "actor": ["name", "short_name"],
    "historicalactor": ["name", "short_name"],
    "commitment": ["title", "description"],
    "historicalcommitment": ["title", "description"],
}


def english_columns_fill(apps, schema_editor):
    for model_name, fields in ENGLISH_COPIES.items():
        model = apps.get_model("commitments", model_name)
        model.objects.update(**{f"{name}_en": F(name) for name in fields})


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0010_search_in_region_languages"),
    ]

    operations = [
        migrations.AddField(
            model_name="actor",
            name="name_en",
            field=models.CharField(max_length=300, null=True),
        ),
        migrations.AddField(
            model_name="actor",
            name="name_ru",
            field=models.CharField(max_length=300, null=True),
        ),
        migrations.AddField(
            model_name="actor",
            name="name_tk",
            field=models.CharField(max_length=300, null=True),
        ),
        migrations.AddField(
            model_name="actor",
            name="short_name_en",
            field=models.CharField(blank=True, max_length=50, null=True),
        ),
        migrations.AddField(
            model_name="actor",
            name="short_name_ru",
            field=models.CharField(blank=True, max_length=50, null=True),
        ),
        migrations.AddField(
            model_name="actor",
            name="short_name_tk",
            field=models.CharField(blank=True, max_length=50, null=True),
        ),
        migrations.AddField(
            model_name="actor",
            name="translation_origins",
            field=models.JSONField(
                blank=True,
                db_default=models.Value({}, output_field=models.JSONField()),
                default=dict,
                help_text="Who wrote each translation: 'source' (the source itself) or 'project' (the tracker), by language.",
            ),
        ),
        migrations.AddField(
            model_name="commitment",
            name="description_en",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="commitment",
            name="description_ru",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="commitment",
            name="description_tk",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="commitment",
            name="title_en",
            field=models.CharField(max_length=300, null=True),
        ),
        migrations.AddField(
            model_name="commitment",
            name="title_ru",
            field=models.CharField(max_length=300, null=True),
        ),
        migrations.AddField(
            model_name="commitment",
            name="title_tk",
            field=models.CharField(max_length=300, null=True),
        ),
        migrations.AddField(
            model_name="commitment",
            name="translation_origins",
            field=models.JSONField(
                blank=True,
                db_default=models.Value({}, output_field=models.JSONField()),
                default=dict,
                help_text="Who wrote each translation: 'source' (the source itself) or 'project' (the tracker), by language.",
            ),
        ),
        migrations.AddField(
            model_name="historicalactor",
            name="name_en",
            field=models.CharField(max_length=300, null=True),
        ),
        migrations.AddField(
            model_name="historicalactor",
            name="name_ru",
            field=models.CharField(max_length=300, null=True),
        ),
        migrations.AddField(
            model_name="historicalactor",
            name="name_tk",
            field=models.CharField(max_length=300, null=True),
        ),
        migrations.AddField(
            model_name="historicalactor",
            name="short_name_en",
            field=models.CharField(blank=True, max_length=50, null=True),
        ),
        migrations.AddField(
            model_name="historicalactor",
            name="short_name_ru",
            field=models.CharField(blank=True, max_length=50, null=True),
        ),
        migrations.AddField(
            model_name="historicalactor",
            name="short_name_tk",
            field=models.CharField(blank=True, max_length=50, null=True),
        ),
        migrations.AddField(
            model_name="historicalactor",
            name="translation_origins",
            field=models.JSONField(
                blank=True,
                db_default=models.Value({}, output_field=models.JSONField()),
                default=dict,
                help_text="Who wrote each translation: 'source' (the source itself) or 'project' (the tracker), by language.",
            ),
        ),
        migrations.AddField(
            model_name="historicalcommitment",
            name="description_en",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="historicalcommitment",
            name="description_ru",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="historicalcommitment",
            name="description_tk",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="historicalcommitment",
            name="title_en",
            field=models.CharField(max_length=300, null=True),
        ),
        migrations.AddField(
            model_name="historicalcommitment",
            name="title_ru",
            field=models.CharField(max_length=300, null=True),
        ),
        migrations.AddField(
            model_name="historicalcommitment",
            name="title_tk",
            field=models.CharField(max_length=300, null=True),
        ),
        migrations.AddField(
            model_name="historicalcommitment",
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
