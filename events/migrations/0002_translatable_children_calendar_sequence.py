"""Speakers, sessions, questions and documents become translatable (wagtail-localize offers their texts);
registrations count the changes sent to the attendee's calendar."""

import uuid

import django.db.models.deletion
from django.db import migrations, models

CHILDREN = ["eventsession", "eventspeaker", "eventquestion", "eventdocument"]


def bootstrap(apps, schema_editor):
    """Each existing child gets its own translation key and its event's locale."""
    for name in CHILDREN:
        model = apps.get_model("events", name)
        for child in model.objects.select_related("event").only("pk", "event__locale_id"):
            model.objects.filter(pk=child.pk).update(translation_key=uuid.uuid4(), locale_id=child.event.locale_id)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="calendar_sequence",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        *[
            operation
            for name in CHILDREN
            for operation in (
                migrations.AddField(
                    model_name=name,
                    name="translation_key",
                    field=models.UUIDField(null=True, editable=False),
                ),
                migrations.AddField(
                    model_name=name,
                    name="locale",
                    field=models.ForeignKey(
                        null=True,
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="wagtailcore.locale",
                        verbose_name="locale",
                    ),
                ),
            )
        ],
        migrations.RunPython(bootstrap, migrations.RunPython.noop),
        *[
            operation
            for name in CHILDREN
            for operation in (
                migrations.AlterField(
                    model_name=name,
                    name="translation_key",
                    field=models.UUIDField(default=uuid.uuid4, editable=False),
                ),
                migrations.AlterField(
                    model_name=name,
                    name="locale",
                    field=models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="wagtailcore.locale",
                        verbose_name="locale",
                    ),
                ),
                migrations.AlterUniqueTogether(name=name, unique_together={("translation_key", "locale")}),
            )
        ],
    ]
