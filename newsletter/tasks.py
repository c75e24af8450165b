"""Background work of the newsletter: confirmation emails and the sending of issues (django-tasks)."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from django_tasks import task

from hub.emails import send_email


@task()
def send_confirmation(subscriber_id):
    """The double opt-in email, with the single-use confirmation link (nothing if it is no longer pending)."""
    from newsletter.models import CONFIRMATION_VALIDITY, Subscriber  # noqa: PLC0415

    subscriber = Subscriber.objects.filter(pk=subscriber_id).exclude(confirmation_token=None).first()
    if subscriber is None:
        return 0

    with translation.override(subscriber.language):
        subject = gettext("Confirmez votre inscription à la lettre d'information")
    return send_email(
        to=[subscriber.email],
        subject=subject,
        template="newsletter_confirmation",
        context={"confirmation_url": subscriber.confirmation_url, "validity_days": CONFIRMATION_VALIDITY.days},
        language=subscriber.language,
    )


@task()
def send_already_subscribed(subscriber_id):
    """Tells an active subscriber that someone asked again, with the link to manage the subscription."""
    from newsletter.models import Subscriber, SubscriberStatus  # noqa: PLC0415

    subscriber = Subscriber.objects.filter(pk=subscriber_id, status=SubscriberStatus.ACTIVE).first()
    if subscriber is None:
        return 0

    with translation.override(subscriber.language):
        subject = gettext("Vous êtes déjà abonné·e à la lettre d'information")
    return send_email(
        to=[subscriber.email],
        subject=subject,
        template="newsletter_already_subscribed",
        context={"preferences_url": subscriber.unsubscribe_url},
        language=subscriber.language or settings.LANGUAGE_CODE,
    )


@task()
def send_issue(issue_id):
    """Drains an issue's queued deliveries (several of these may run at once, in several workers)."""
    from newsletter.sending import drain  # noqa: PLC0415

    return drain(issue_id)
