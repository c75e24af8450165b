"""Joining the network: an application is received, then a moderator approves or refuses it."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language

from network.models import Application, Member, Organisation
from network.tasks import acknowledge_application, send_activation, send_existing_account_notice, send_refusal


class AlreadyDecided(Exception):
    pass


def request_language(request):
    """The language of the page the person used (/fr/… or /en/…): their emails are written in it."""

    code = (getattr(request, "LANGUAGE_CODE", None) or get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def receive_application(form, request):
    """Records an application from the public form; the page says the same thing whatever happened.

    An address that already has an account, or a pending application, creates nothing new: the owner
    of the address is told by email instead, so the form never reveals who is a member.
    """

    data = form.cleaned_data
    email = data["email"]
    language = request_language(request)
    if get_user_model().objects.filter(email__iexact=email).exists():
        send_existing_account_notice.enqueue(email, language)
        return None
    if Application.objects.filter(email__iexact=email, status=Application.Status.PENDING).exists():
        return None
    with transaction.atomic():
        application = Application.objects.create(
            first_name=data["first_name"].strip(),
            last_name=data["last_name"].strip(),
            email=email,
            role=data["role"],
            job_title=data["job_title"].strip(),
            organisation_name=data["organisation_name"].strip(),
            organisation_kind=data["organisation_kind"],
            commune=data.get("commune"),
            motivation=data["motivation"].strip(),
            visibility=data["visibility"],
            consent_to_appear=data["consent_to_appear"],
            language=language,
            ip_address=request.META.get("REMOTE_ADDR") or None,
        )
        application.programmes.set(data["programmes"])
        transaction.on_commit(lambda: acknowledge_application.enqueue(application.pk))
    return application


@transaction.atomic
def approve(application_id, moderator, organisation=None):
    """Creates the account (inactive until the password is chosen) and the profile, then sends the link."""

    application = Application.objects.select_for_update().get(pk=application_id)
    if application.status != Application.Status.PENDING:
        raise AlreadyDecided(application.get_status_display())
    User = get_user_model()
    if User.objects.filter(email__iexact=application.email).exists():
        raise AlreadyDecided("account")
    organisation = organisation or application.organisation or _organisation_for(application)
    user = User(
        username=application.email.lower(),
        email=application.email.lower(),
        first_name=application.first_name,
        last_name=application.last_name,
        is_active=False,
    )
    user.set_unusable_password()
    user.save()
    member = Member.objects.create(
        user=user,
        first_name=application.first_name,
        last_name=application.last_name,
        role=application.role,
        job_title=application.job_title,
        organisation=organisation,
        commune=application.commune,
        visibility=application.visibility,
        consent_to_appear=application.consent_to_appear,
        language=application.language or "fr",
    )
    member.programmes.set(application.programmes.all())
    application.status = Application.Status.APPROVED
    application.organisation = organisation
    application.decided_at = timezone.now()
    application.decided_by = moderator
    application.user = user
    application.save()
    transaction.on_commit(lambda: send_activation.enqueue(user.pk))
    return member


def _organisation_for(application):
    existing = Organisation.objects.filter(name__iexact=application.organisation_name).first()
    if existing is not None:
        return existing
    return Organisation.objects.create(
        name=application.organisation_name, kind=application.organisation_kind, commune=application.commune
    )


@transaction.atomic
def refuse(application_id, moderator, reason=""):
    application = Application.objects.select_for_update().get(pk=application_id)
    if application.status != Application.Status.PENDING:
        raise AlreadyDecided(application.get_status_display())
    application.status = Application.Status.REFUSED
    application.refusal_reason = reason.strip()
    application.decided_at = timezone.now()
    application.decided_by = moderator
    application.save()
    transaction.on_commit(lambda: send_refusal.enqueue(application.pk))
    return application


def resend_activation(user):
    if not user.is_active:
        send_activation.enqueue(user.pk)
