"""The financing aids' background task (django-tasks; `manage.py db_worker` runs it)."""

import datetime

from django_tasks import task

from resources.aid_reminders import send_due_reminders


@task()
def send_aid_reminders(day=None):
    """Emails the aids' editors the reminders due on `day` (an ISO date, today by default): once an aid
    closes in 14 days or less, and once its last verification is six months old or more. Safe to run
    several times a day, and a missed day is caught up: each reminder is sent once per closing date and
    per verification date (recorded on the aid). Returns the number of emails sent."""
    outcome = send_due_reminders(datetime.date.fromisoformat(day) if day else None)
    return outcome.sent
