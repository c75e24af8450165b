from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task


@task()
def notify_proposer_of_publication(page_id):
    """Tells the member who proposed a fiche projet that it is online; once, whatever the retries."""
    from resources.models import ProjectPage

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
