"""Wagtail's default moderation workflow and its task get French names (the admin is French first)."""

from django.db import migrations

NAMES = {"Moderators approval": "Validation par la modération"}


def rename(apps, schema_editor, names):
    for model_name in ("Workflow", "Task"):
        model = apps.get_model("wagtailcore", model_name)
        for old, new in names.items():
            model.objects.filter(name=old).update(name=new)


def forwards(apps, schema_editor):
    rename(apps, schema_editor, NAMES)


def backwards(apps, schema_editor):
    rename(apps, schema_editor, {new: old for old, new in NAMES.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("hub", "0002_locales"),
        ("wagtailcore", "0048_add_default_workflows"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
