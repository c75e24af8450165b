"""The directory's emails, sent by background tasks that take primary keys and act once."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from hub.emails import send_email
from network.apps import MODERATORS_GROUP


def _absolute(path):
    return f"{settings.SITE_BASE_URL.rstrip('/')}{path}"


@task()
def send_activation(user_id):
    """The link to choose a password, sent when a moderator approves an application (or resends it)."""
    from network.tokens import activation_path

    user = get_user_model().objects.filter(pk=user_id, is_active=False).first()
    if user is None:  # already activated: nothing to send
        return
    with override("fr"):
        send_email(
            to=[user.email],
            subject=_("Bienvenue dans le réseau : activez votre compte"),
            template="network_activation",
            context={"first_name": user.first_name, "url": _absolute(activation_path(user))},
        )


@task()
def send_refusal(application_id):
    from network.models import Application

    application = Application.objects.filter(pk=application_id, status=Application.Status.REFUSED).first()
    if application is None:
        return
    with override("fr"):
        send_email(
            to=[application.email],
            subject=_("Votre demande d'adhésion au réseau"),
            template="network_refusal",
            context={"first_name": application.first_name, "reason": application.refusal_reason},
        )


@task()
def acknowledge_application(application_id):
    """Tells the applicant the request arrived, and the moderators that one is waiting."""
    from django.urls import reverse

    from network.models import Application

    application = Application.objects.filter(pk=application_id).first()
    if application is None:
        return
    with override("fr"):
        send_email(
            to=[application.email],
            subject=_("Nous avons bien reçu votre demande d'adhésion"),
            template="network_application_received",
            context={"first_name": application.first_name},
        )
        moderators = list(
            get_user_model()
            .objects.filter(is_active=True, groups__name=MODERATORS_GROUP)
            .exclude(email="")
            .values_list("email", flat=True)
            .distinct()
        )
        if moderators:
            send_email(
                to=moderators,
                subject=_("Nouvelle demande d'adhésion : %(name)s") % {"name": application.full_name},
                template="network_application_to_moderate",
                context={
                    "application": application,
                    "url": _absolute(reverse("network_application:decide", args=[application.pk])),
                },
            )


@task()
def send_existing_account_notice(email):
    """Someone applied with the address of an existing account: tell its owner, not the form."""
    from django.urls import reverse

    with override("fr"):
        send_email(
            to=[email],
            subject=_("Vous avez déjà un compte"),
            template="network_existing_account",
            context={"reset_url": _absolute(reverse("network:password_reset"))},
        )


@task()
def send_password_reset(email, uid, token, first_name=""):
    from django.urls import reverse

    with override("fr"):
        path = reverse("network:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
        send_email(
            to=[email],
            subject=_("Choisir un nouveau mot de passe"),
            template="network_password_reset",
            context={"first_name": first_name, "url": _absolute(path)},
        )


@task()
def relay_contact_message(log_id, message):
    """Sends a relayed message to the member, reply-to the sender; the log is marked sent once."""
    from network.models import ContactMessage

    with transaction.atomic():
        log = (
            ContactMessage.objects.select_for_update(of=("self",))
            .select_related("recipient__user")
            .filter(pk=log_id, status=ContactMessage.Status.QUEUED)
            .first()
        )
        if log is None or log.recipient is None:
            return
        with override("fr"):
            sent = send_email(
                to=[log.recipient.user.email],
                reply_to=[log.sender_email],
                subject=_("[Annuaire] %(subject)s") % {"subject": log.subject},
                template="network_contact",
                context={"log": log, "message": message},
            )
        log.status = ContactMessage.Status.SENT if sent else ContactMessage.Status.FAILED
        log.save(update_fields=["status"])
