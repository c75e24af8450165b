from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task


@task()
def notify_proposer_of_publication(page_id):
    """Tells the member who proposed a fiche projet that it is online; once, whatever the retries."""
    from resources.models import ProjectPage  # noqa: PLC0415

    with transaction.atomic():
        page = ProjectPage.objects.select_for_update().filter(pk=page_id, proposer_notified_at=None).first()
        if page is None or page.proposed_by is None or not page.proposed_by.email or not page.live:
            return
        with translation.override("fr"):
            url = f"{settings.SITE_BASE_URL}{page.url}"
            send_mail(
                subject=_("Votre fiche projet « %(title)s » est publiée") % {"title": page.title},
                message=_(
                    "Bonjour,\n\nLa fiche projet que vous avez proposée est maintenant en ligne dans la "
                    "Projétothèque :\n%(url)s\n\nMerci pour ce partage.\nL'équipe Centralités"
                )
                % {"url": url},
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[page.proposed_by.email],
            )
        ProjectPage.objects.filter(pk=page.pk).update(proposer_notified_at=timezone.now())


def proposal_moderators(page):
    """Who reviews a member's proposal: the groups of its workflow's tasks, and superusers; each once."""
    from wagtail.models import GroupApprovalTask  # noqa: PLC0415

    from resources.proposals import moderation_workflow  # noqa: PLC0415

    workflow = page.get_workflow() or moderation_workflow()
    groups = []
    if workflow is not None:
        task_ids = workflow.workflow_tasks.values_list("task_id", flat=True)
        for task in GroupApprovalTask.objects.filter(pk__in=task_ids, active=True):
            groups += list(task.groups.values_list("pk", flat=True))
    users = get_user_model().objects.filter(Q(groups__in=groups) | Q(is_superuser=True), is_active=True)
    return list(users.exclude(email="").exclude(pk=page.proposed_by_id).distinct().order_by("pk"))


@task()
def notify_moderators_of_proposal(page_id):
    """One email per moderator for each member's proposal (Wagtail's own workflow emails are silenced for it)."""

    from resources.models import ProjectPage  # noqa: PLC0415

    page = ProjectPage.objects.filter(pk=page_id).select_related("commune", "proposed_by").first()
    if page is None or page.live:
        return
    proposer = page.proposed_by
    who = (proposer.get_full_name() or proposer.get_username()) if proposer else ""
    with translation.override("fr"):
        review_url = f"{settings.SITE_BASE_URL}{reverse('wagtailadmin_pages:edit', args=[page.pk])}"
        subject = _("Nouvelle proposition de fiche projet : « %(title)s »") % {"title": page.title}
        body = _(
            "Bonjour,\n\n%(who)s propose une fiche projet pour la Projétothèque :\n« %(title)s » (%(commune)s)\n\n"
            "Relisez-la puis publiez-la ou demandez des modifications dans l'administration :\n%(url)s\n\n"
            "L'équipe Centralités"
        ) % {
            "who": who,
            "title": page.title,
            "commune": page.commune.name if page.commune_id else "",
            "url": review_url,
        }
    for moderator in proposal_moderators(page):
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [moderator.email])
