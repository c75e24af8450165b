import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tasks import task
from wagtail.models import Page

from hub.models import Programme, StandardPage, Thematic

RAN = []


@task()
def remember(value):
    RAN.append(value)
    return value


def test_load_demo_is_idempotent(abbeville):
    call_command("load_demo", "--no-index", verbosity=0)
    counts = (Page.objects.count(), Programme.objects.count(), Thematic.objects.count())
    call_command("load_demo", "--no-index", verbosity=0)
    assert (Page.objects.count(), Programme.objects.count(), Thematic.objects.count()) == counts
    assert StandardPage.objects.filter(slug="mentions-legales").count() == 1
    assert StandardPage.objects.filter(slug="legal-notice", locale__language_code="en").count() == 1


def test_load_demo_needs_territories_and_sane_sizes(db, abbeville):
    with pytest.raises(CommandError):
        call_command("load_demo", "--projects", "-1", verbosity=0)


def test_load_demo_without_territories_says_what_to_do(db):
    with pytest.raises(CommandError, match="import_territories"):
        call_command("load_demo", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_database_task_backend_and_worker_run_enqueued_work(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    RAN.clear()
    result = remember.enqueue("bonjour")
    assert RAN == []  # nothing ran yet: it waits in the database
    call_command("db_worker", "--batch", "--interval", "0", verbosity=0)
    result.refresh()
    assert result.status.name == "SUCCESSFUL"
    assert RAN == ["bonjour"]
