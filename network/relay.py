"""The contact relay: a message reaches a member by email without anyone seeing their address.

Limits are counted on the message log inside a transaction that locks the recipient's row, so two
simultaneous posts cannot both pass the last free slot; the log keeps who wrote to whom and when.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from network.models import ContactMessage, Member
from network.tasks import relay_contact_message


def limits():
    return {
        "per_sender_per_hour": settings.NETWORK_CONTACT_PER_SENDER_PER_HOUR,
        "per_recipient_per_day": settings.NETWORK_CONTACT_PER_RECIPIENT_PER_DAY,
    }


class RelayRefused(Exception):
    """The message was not sent; the text says why, for the person who wrote it."""


def relay(request, member_id, form):
    name, email = form.sender()
    ip = request.META.get("REMOTE_ADDR") or None
    now = timezone.now()
    caps = limits()
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member_id)
        if not member.accepts_messages:
            raise RelayRefused(_("Ce membre ne reçoit pas de messages par l'annuaire."))
        sender = Q(sender_email__iexact=email)
        if ip:
            sender |= Q(ip_address=ip)
        if request.user.is_authenticated:
            sender |= Q(sender_user=request.user)
        if (
            ContactMessage.objects.filter(sender, created_at__gte=now - timedelta(hours=1)).count()
            >= caps["per_sender_per_hour"]
        ):
            raise RelayRefused(_("Vous avez envoyé trop de messages en peu de temps. Réessayez dans une heure."))
        if (
            ContactMessage.objects.filter(recipient=member, created_at__gte=now - timedelta(days=1)).count()
            >= caps["per_recipient_per_day"]
        ):
            raise RelayRefused(_("Ce membre a reçu beaucoup de messages aujourd'hui. Réessayez demain."))
        log = ContactMessage.objects.create(
            recipient=member,
            sender_user=request.user if request.user.is_authenticated else None,
            sender_name=name,
            sender_email=email,
            subject=form.cleaned_data["subject"],
            ip_address=ip,
        )
        message = form.cleaned_data["message"]
        transaction.on_commit(lambda: relay_contact_message.enqueue(log.pk, message))
    return log
