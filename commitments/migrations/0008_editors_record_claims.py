"""Editors record claims and resolve disputes (the admin's "Record a claim" and "Resolve a
dispute" pages ask for these permissions)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
PERMISSIONS = ["view_claim", "add_claim", "view_claimresolution", "add_claimresolution"]


def editors_may_record_claims(apps, schema_editor):
    # Permissions are created after all migrations have run; on a fresh database the new
    # models' permissions do not exist yet.
    app_config = apps.get_app_config("commitments")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITORS)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="commitments", codename__in=PERMISSIONS)
    )


def editors_may_not_record_claims(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=EDITORS):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="commitments", codename__in=PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [("commitments", "0007_claims_and_disputes")]

    operations = [migrations.RunPython(editors_may_record_claims, editors_may_not_record_claims)]
