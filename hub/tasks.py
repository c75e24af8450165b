"""The core's background tasks (django-tasks; `manage.py db_worker` runs them)."""

from django_tasks import task

from hub.observatory import medians


@task()
def refresh_observatory_medians():
    """Renew the medians territory pages compare the site's own figures with (hub.observatory.medians)."""
    medians.store()
