from django.db import migrations


class Migration(migrations.Migration):
    """Empty: the extraction assistant ranks by trigram similarity in Python (no extension)."""

    dependencies = []

    operations = []
