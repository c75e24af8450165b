"""Inline items of project sheets and resources (funding lines, partners, images, documents) become
translatable with their page: each gets its page's locale and a translation key of its own."""

import uuid

import django.db.models.deletion
from django.db import migrations, models

MODELS = ["projectdocument", "projectfundingline", "projectgalleryimage", "projectpartner", "resourcedocument"]


def fill_locale_and_key(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("resources", name)
        for item in model.objects.select_related("page").only("pk", "page__locale_id").iterator():
            model.objects.filter(pk=item.pk).update(locale_id=item.page.locale_id, translation_key=uuid.uuid4())


def operations():
    before, after = [], []
    for name in MODELS:
        before += [
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
            migrations.AddField(
                model_name=name,
                name="translation_key",
                field=models.UUIDField(null=True, editable=False),
            ),
        ]
        after += [
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
            migrations.AlterField(
                model_name=name,
                name="translation_key",
                field=models.UUIDField(default=uuid.uuid4, editable=False),
            ),
            migrations.AlterUniqueTogether(name=name, unique_together={("translation_key", "locale")}),
        ]
    return before + [migrations.RunPython(fill_locale_and_key, migrations.RunPython.noop)] + after


class Migration(migrations.Migration):
    dependencies = [
        ("resources", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = operations()
