"""Changing an account's email address: a link goes to the new address; the change happens when it is followed.

The link's token is random and only its SHA-256 is stored; it serves once, expires after
NETWORK_EMAIL_CHANGE_HOURS, and a newer request replaces older ones. The former
address is told once the change is made.
"""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from network.models import EmailChangeRequest
from network.tasks import email_change_hours, send_email_change_link, send_email_changed_notice


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


class ChangeRefused(Exception):
    """The link is unknown, used, expired, or its address was taken in the meantime."""


def request_change(user, new_email, language="fr"):
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        EmailChangeRequest.objects.filter(user=user, used_at=None).delete()
        change = EmailChangeRequest.objects.create(user=user, new_email=new_email.lower(), token_hash=_hash(token))
        transaction.on_commit(lambda: send_email_change_link.enqueue(change.pk, token, language))
    return change


def pending_change(token):
    """The unused, unexpired request for this token, or None."""

    if not token or len(token) > 100:
        return None
    cutoff = timezone.now() - timedelta(hours=email_change_hours())
    return (
        EmailChangeRequest.objects.select_related("user")
        .filter(token_hash=_hash(token), used_at=None, created_at__gte=cutoff, user__is_active=True)
        .first()
    )


def confirm_change(token, language="fr"):
    """Applies the change once; returns the user. Raises ChangeRefused otherwise."""

    User = get_user_model()
    with transaction.atomic():
        change = pending_change(token)
        if change is None:
            raise ChangeRefused
        change = EmailChangeRequest.objects.select_for_update().get(pk=change.pk)
        if change.used_at is not None:
            raise ChangeRefused
        user = User.objects.select_for_update().get(pk=change.user_id)
        if User.objects.filter(email__iexact=change.new_email).exclude(pk=user.pk).exists():
            raise ChangeRefused
        old_email = user.email
        user.email = change.new_email
        if user.get_username().lower() == (old_email or "").lower():
            setattr(user, User.USERNAME_FIELD, change.new_email)
        user.save()
        change.used_at = timezone.now()
        change.save(update_fields=["used_at"])
        EmailChangeRequest.objects.filter(user=user, used_at=None).delete()
        first_name = user.first_name
        transaction.on_commit(
            lambda: send_email_changed_notice.enqueue(old_email, change.new_email, first_name, language)
        )
    return user
