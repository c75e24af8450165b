"""Next month's issue, drafted from what the site published since the last issue."""

import datetime

from django.utils import timezone, translation
from django.utils.formats import date_format

from newsletter.models import NewsletterIndexPage, NewsletterIssuePage


def first_of_next_month(day):
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def draft_next_issue(today=None):
    """Returns (issue, created): a draft for the month after `today`, unless one exists for that month."""
    from resources.models import ProjectPage

    today = today or timezone.localdate()
    index = NewsletterIndexPage.objects.filter(locale__language_code="fr").first()
    if index is None:
        raise LookupError("Aucune page d'archive de la lettre : créez-la (ou lancez load_demo) d'abord.")
    target = first_of_next_month(today)
    issues = NewsletterIssuePage.objects.child_of(index)
    existing = issues.filter(issue_date__year=target.year, issue_date__month=target.month).first()
    if existing is not None:
        return existing, False
    last = issues.live().filter(issue_date__lt=target).order_by("-issue_date").first()
    since = (
        timezone.make_aware(datetime.datetime.combine(last.issue_date, datetime.time.min))
        if last
        else timezone.now() - datetime.timedelta(days=31)
    )
    projects = list(
        ProjectPage.objects.live()
        .public()
        .filter(locale__language_code="fr", first_published_at__gte=since)
        .order_by("-first_published_at")
        .values_list("pk", flat=True)[:3]
    )
    with translation.override("fr"):
        month = date_format(target, "F Y")
    issue = NewsletterIssuePage(
        title=f"Lettre de {month}",
        slug=target.strftime("%Y-%m"),
        locale=index.locale,
        live=False,
        issue_date=target,
        subject=f"La lettre des centralités — {month}",
        preheader="Les projets, ressources et rendez-vous du mois.",
        body=[
            {
                "type": "edito",
                "value": {"title": "Édito", "text": "<p>(À écrire.)</p>", "signature": ""},
            },
            {"type": "featured_projects", "value": {"title": "Projets à la une", "projects": projects, "count": 3}},
            {"type": "new_resources", "value": {"title": "Nouvelles ressources", "count": 4}},
            {"type": "upcoming_events", "value": {"title": "Prochains rendez-vous", "count": 4}},
        ],
    )
    index.add_child(instance=issue)
    issue.save_revision()
    return issue, True
