"""The month's issue, drafted from what the site published since the last issue.

The draft's édito holds `PLACEHOLDER` until someone writes it; an issue still holding it cannot be sent.
"""

import datetime

from django.utils import timezone, translation
from django.utils.formats import date_format

from newsletter.models import NewsletterIndexPage, NewsletterIssuePage
from resources.models import ProjectPage

PLACEHOLDER = "(À écrire.)"


def first_of_next_month(day):
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def _of_month(issues, day):
    return issues.filter(issue_date__year=day.year, issue_date__month=day.month).first()


def placeholder_blocks(issue):
    """The labels of the blocks of `issue` that still hold the drafting placeholder (empty: ready to send)."""
    found = []
    for block in issue.body:
        value = block.value
        texts = []
        if hasattr(value, "get"):
            for key in ("title", "text", "signature", "caption", "button_label"):
                item = value.get(key)
                if item is not None:
                    texts.append(str(getattr(item, "source", item)))
        else:
            texts.append(str(getattr(value, "source", value)))
        if any(PLACEHOLDER in text for text in texts):
            found.append(str(block.block.label))
    for text in (issue.title, issue.subject, issue.preheader):
        if PLACEHOLDER in (text or ""):
            found.append(str(issue._meta.get_field("subject").verbose_name))
    return found


def draft_next_issue(today=None):
    """Returns (issue, created): a draft of the current month's issue, or of next month's once the current
    month has one; nothing is created when that issue exists too."""

    today = today or timezone.localdate()
    index = NewsletterIndexPage.objects.filter(locale__language_code="fr").first()
    if index is None:
        raise LookupError("Aucune page d'archive de la lettre : créez-la (ou lancez load_demo) d'abord.")
    issues = NewsletterIssuePage.objects.child_of(index)
    target = today.replace(day=1)
    if _of_month(issues, target) is not None:
        target = first_of_next_month(today)
    existing = _of_month(issues, target)
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
                "value": {"title": "Édito", "text": f"<p>{PLACEHOLDER}</p>", "signature": ""},
            },
            {"type": "featured_projects", "value": {"title": "Projets à la une", "projects": projects, "count": 3}},
            {"type": "new_resources", "value": {"title": "Nouvelles ressources", "count": 4}},
            {"type": "upcoming_events", "value": {"title": "Prochains rendez-vous", "count": 4}},
        ],
    )
    index.add_child(instance=issue)
    issue.save_revision()
    return issue, True
