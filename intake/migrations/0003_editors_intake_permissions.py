"""Editors record actors' aliases and see the status imports (importing itself needs the
commitments' record_status_change, which they have)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
INTAKE_PERMISSIONS = ["view_actoralias", "add_actoralias", "delete_actoralias", "view_statusimport"]


def editors_intake_permissions_add(apps, schema_editor):
    app_config = apps.get_app_config("intake")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITORS)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="intake", codename__in=INTAKE_PERMISSIONS
        )
    )


def editors_intake_permissions_remove(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=EDITORS):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="intake", codename__in=INTAKE_PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("commitments", "0003_editors_group"),
        ("intake", "0002_status_imports_and_actor_aliases"),
    ]

    operations = [
        migrations.RunPython(editors_intake_permissions_add, editors_intake_permissions_remove)
    ]
