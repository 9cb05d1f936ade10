"""The "Editors" group: what staff need to keep the record true in the admin.

Staff are made editors by adding them to this group; a staff user outside it can log in but
cannot record status or deadline changes.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"

# (app label, model, actions). Editors add and correct sources, actors and commitments; they
# do not delete sources, actors or commitments (evidence and history would go with them).
# Deleting a party is part of correcting who is on the hook, so editors may do that.
EDITOR_PERMISSIONS = [
    ("sources", "source", ("view", "add", "change")),
    ("commitments", "actor", ("view", "add", "change")),
    ("commitments", "commitment", ("view", "add", "change")),
    ("commitments", "party", ("view", "add", "change", "delete")),
    ("commitments", "citation", ("view", "add", "change")),
]
EDITOR_CUSTOM_PERMISSIONS = [
    ("commitments", "record_status_change"),
    ("commitments", "record_deadline_change"),
]


def editors_group_create(apps, schema_editor):
    # Permissions are created after all migrations have run (post_migrate); on a fresh
    # database they do not exist yet, so create them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = [
        (app_label, f"{action}_{model}")
        for app_label, model, actions in EDITOR_PERMISSIONS
        for action in actions
    ] + EDITOR_CUSTOM_PERMISSIONS
    permissions = []
    for app_label, codename in wanted:
        permissions.append(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    group, _ = Group.objects.get_or_create(name=EDITORS)
    group.permissions.set(permissions)


def editors_group_delete(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("sources", "0001_initial"),
        ("commitments", "0002_commitment_record_permissions"),
    ]

    operations = [migrations.RunPython(editors_group_create, editors_group_delete)]
