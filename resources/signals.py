from django.db import transaction
from django.dispatch import receiver
from wagtail.signals import page_published


@receiver(page_published)
def tell_the_proposer(sender, instance, **kwargs):
    from resources.models import ProjectPage
    from resources.tasks import notify_proposer_of_publication

    if isinstance(instance, ProjectPage) and instance.proposed_by_id and instance.proposer_notified_at is None:
        page_id = instance.pk
        transaction.on_commit(lambda: notify_proposer_of_publication.enqueue(page_id))
