"""Create the Analysts and Editors groups with the permissions their work needs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ANALYST_PERMISSIONS = [
    "view_annotation",
    "add_annotation",
    "change_annotation",
    "view_provisionlink",
    "add_provisionlink",
    "view_tag",
    "add_tag",
]
EDITOR_MODELS = [
    "annotation",
    "provisionlink",
    "concern",
    "safeguarddemand",
    "organisation",
    "statement",
    "tag",
    "article",
    "chapter",
    "provision",
]
EDITOR_VIEW_ONLY = ["revision", "auditevent", "provisionversion", "treaty", "member"]


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    app_config = apps.get_app_config("provisions")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="provisions")

    analysts, _ = Group.objects.get_or_create(name="Analysts")
    analysts.permissions.set(perms.filter(codename__in=ANALYST_PERMISSIONS))

    editor_codenames = [
        f"{action}_{model}"
        for model in EDITOR_MODELS
        for action in ("view", "add", "change", "delete")
    ] + [f"view_{model}" for model in EDITOR_VIEW_ONLY]
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.set(perms.filter(codename__in=editor_codenames))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Analysts", "Editors"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("provisions", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
