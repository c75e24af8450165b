"""The directory's emails, sent by background tasks that take primary keys and act once."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from hub.emails import send_email
from network.apps import MODERATORS_GROUP
from network.models import Application, ContactMessage, EmailChangeRequest
from network.tokens import activation_path


def _absolute(path):
    return f"{settings.SITE_BASE_URL}{path}"


def _language(code):
    """One of the site's languages (French when unknown): emails go out in the recipient's language."""
    code = (code or "").split("-")[0].lower()
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def user_language(user):
    member = getattr(user, "member", None) if user is not None else None
    return _language(getattr(member, "language", None))


@task()
def send_activation(user_id):
    """The link to choose a password, sent when a moderator approves an application (or resends it)."""

    user = get_user_model().objects.filter(pk=user_id, is_active=False).select_related("member").first()
    if user is None:  # already activated: nothing to send
        return
    language = user_language(user)
    with override(language):
        send_email(
            to=[user.email],
            subject=_("Bienvenue dans le réseau : activez votre compte"),
            template="network_activation",
            language=language,
            context={"first_name": user.first_name, "url": _absolute(activation_path(user, language))},
        )


@task()
def send_refusal(application_id):
    application = Application.objects.filter(pk=application_id, status=Application.Status.REFUSED).first()
    if application is None:
        return
    language = _language(application.language)
    with override(language):
        send_email(
            to=[application.email],
            subject=_("Votre demande d'adhésion au réseau"),
            template="network_refusal",
            language=language,
            context={"first_name": application.first_name, "reason": application.refusal_reason},
        )


@task()
def acknowledge_application(application_id):
    """Tells the applicant the request arrived, and the moderators that one is waiting."""

    application = Application.objects.filter(pk=application_id).first()
    if application is None:
        return
    language = _language(application.language)
    with override(language):
        send_email(
            to=[application.email],
            subject=_("Nous avons bien reçu votre demande d'adhésion"),
            template="network_application_received",
            language=language,
            context={"first_name": application.first_name},
        )
    with override("fr"):
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
def send_existing_account_notice(email, language="fr"):
    """Someone applied with the address of an existing account: tell its owner, not the form."""

    language = _language(language)
    with override(language):
        send_email(
            to=[email],
            subject=_("Vous avez déjà un compte"),
            template="network_existing_account",
            language=language,
            context={"reset_url": _absolute(reverse("network:password_reset"))},
        )


@task()
def send_password_reset(email, uid, token, first_name="", language="fr"):
    """The reset link, in the language of the page where it was asked for, under that language's prefix."""

    language = _language(language)
    with override(language):
        path = reverse("network:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
        send_email(
            to=[email],
            subject=_("Choisir un nouveau mot de passe"),
            template="network_password_reset",
            language=language,
            context={"first_name": first_name, "url": _absolute(path)},
        )


@task()
def send_email_change_link(request_id, token, language="fr"):
    """The verification link, sent to the new address; the account keeps its address until it is followed."""

    change = EmailChangeRequest.objects.filter(pk=request_id, used_at=None).select_related("user").first()
    if change is None:
        return
    language = _language(language)
    with override(language):
        send_email(
            to=[change.new_email],
            subject=_("Confirmez votre nouvelle adresse électronique"),
            template="network_email_change",
            language=language,
            context={
                "first_name": change.user.first_name,
                "url": _absolute(reverse("network:email_change_confirm", kwargs={"token": token})),
                "hours": email_change_hours(),
            },
        )


@task()
def send_email_changed_notice(old_email, new_email, first_name="", language="fr"):
    """The former address is told that the account now uses another one."""

    language = _language(language)
    with override(language):
        send_email(
            to=[old_email],
            subject=_("L'adresse de votre compte a changé"),
            template="network_email_changed",
            language=language,
            context={
                "first_name": first_name,
                "new_email": new_email,
                "reset_url": _absolute(reverse("network:password_reset")),
            },
        )


def email_change_hours():
    return settings.NETWORK_EMAIL_CHANGE_HOURS


@task()
def relay_contact_message(log_id, message):
    """Sends a relayed message to the member, reply-to the sender; the log is marked sent once."""

    with transaction.atomic():
        log = (
            ContactMessage.objects.select_for_update(of=("self",))
            .select_related("recipient__user")
            .filter(pk=log_id, status=ContactMessage.Status.QUEUED)
            .first()
        )
        if log is None or log.recipient is None:
            return
        language = _language(log.recipient.language)
        with override(language):
            sent = send_email(
                to=[log.recipient.user.email],
                reply_to=[log.sender_email],
                subject=_("[Annuaire] %(subject)s") % {"subject": log.subject},
                template="network_contact",
                language=language,
                context={"log": log, "message": message, "profile_url": _absolute(reverse("network:profile"))},
            )
        log.status = ContactMessage.Status.SENT if sent else ContactMessage.Status.FAILED
        log.save(update_fields=["status"])
