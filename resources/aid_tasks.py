"""The financing aids' background task (django-tasks; `manage.py db_worker` runs it)."""

import datetime

from django_tasks import task

from resources.aid_reminders import send_due_reminders


@task()
def send_aid_reminders(day=None):
    """Emails the aids' editors the reminders due on `day` (an ISO date, today by default): 14 days before
    an aid closes, and when its last verification turns six months old. Safe to run several times a day:
    each reminder reaches each editor once. Returns the number of emails sent."""
    outcome = send_due_reminders(datetime.date.fromisoformat(day) if day else None)
    return outcome.sent
