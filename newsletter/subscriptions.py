"""Subscribing (double opt-in), confirming, unsubscribing, and what bounce/complaint reports change.

A subscription request answers the same way whatever the address's state, so the form never tells
whether an address is already known; what differs is only the email that address receives.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from newsletter import tasks
from newsletter.forms import CURRENT_CONSENT_WORDING
from newsletter.models import Delivery, DeliveryStatus, Subscriber, SubscriberStatus, new_token, normalise_email


def email_interval():
    """At most one email (confirmation link or "already subscribed" notice) per address in this period, so
    nobody can use the form to mail a third party repeatedly (NEWSLETTER_CONFIRMATION_INTERVAL, seconds)."""
    return timedelta(seconds=settings.NEWSLETTER_CONFIRMATION_INTERVAL)


def _recent(moment, now):
    return moment is not None and now - moment < email_interval()


def client_ip(request):
    return request.META.get("REMOTE_ADDR") or None


def request_subscription(form, request, source):
    """Records a subscription request and emails the confirmation link (or an "already subscribed" notice).

    Nothing is sent (and nothing changes) to an address that reported the letter as spam, nor to an address
    that was already emailed by this form within `email_interval()`: its earlier link still works.
    """

    email = normalise_email(form.cleaned_data["email"])
    programmes, thematics = form.interest_terms()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
                now = timezone.now()
                if subscriber is not None and subscriber.status == SubscriberStatus.COMPLAINED:
                    return subscriber
                if subscriber is not None and subscriber.status == SubscriberStatus.ACTIVE:
                    if not _recent(subscriber.notice_sent_at, now):
                        Subscriber.objects.filter(pk=subscriber.pk).update(notice_sent_at=now)
                        tasks.send_already_subscribed.enqueue(subscriber.pk)
                    return subscriber
                if subscriber is not None and _recent(subscriber.confirmation_sent_at, now):
                    return subscriber
                if subscriber is None:
                    subscriber = Subscriber(email=email, status=SubscriberStatus.PENDING)
                # A new request (new, still pending, or back after leaving): new consent, new single-use link.
                subscriber.language = form.cleaned_data["language"]
                subscriber.consent_at = now
                subscriber.consent_ip = client_ip(request)
                subscriber.consent_user_agent = request.META.get("HTTP_USER_AGENT", "")[:400]
                subscriber.consent_source = source

                subscriber.consent_wording = CURRENT_CONSENT_WORDING
                subscriber.confirmation_token = new_token()
                subscriber.confirmation_sent_at = now
                subscriber.save()
                subscriber.programmes.set(programmes)
                subscriber.thematics.set(thematics)
                # Enqueued in the same transaction: with the database task backend, the task exists if and
                # only if the subscription was saved.
                tasks.send_confirmation.enqueue(subscriber.pk)
                return subscriber
        except IntegrityError:
            continue  # the same address was inserted by a concurrent request: handle it as existing
    return None


def confirm(token, now=None):
    """Activates the subscription behind a confirmation token; returns (subscriber, outcome)."""
    now = now or timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(confirmation_token=token).first() if token else None
        if subscriber is None:
            return None, "invalid"
        if subscriber.confirmation_expired(now):
            return subscriber, "expired"
        subscriber.status = SubscriberStatus.ACTIVE
        subscriber.confirmed_at = now
        subscriber.confirmation_token = None  # the link works once
        subscriber.unsubscribed_at = subscriber.bounced_at = subscriber.complained_at = None
        subscriber.save()
    return subscriber, "confirmed"


def unsubscribe(subscriber, now=None):
    """Stops the letter for this address; repeating it changes nothing."""
    updated = Subscriber.objects.filter(
        pk=subscriber.pk, status__in=[SubscriberStatus.ACTIVE, SubscriberStatus.PENDING]
    ).update(
        status=SubscriberStatus.UNSUBSCRIBED,
        unsubscribed_at=now or timezone.now(),
        confirmation_token=None,
        updated_at=timezone.now(),
    )
    subscriber.refresh_from_db()
    return bool(updated)


def record_delivery_problem(email, kind, now=None):
    """A provider reported a hard bounce or a spam complaint: stop sending to that address."""

    now = now or timezone.now()
    subscriber = Subscriber.objects.filter(email=normalise_email(email)).first()
    if subscriber is None:
        return None
    if kind == "bounced":
        if subscriber.status != SubscriberStatus.COMPLAINED:
            subscriber.status = SubscriberStatus.BOUNCED
        subscriber.bounced_at = now
        field = "bounced_at"
    else:
        subscriber.status = SubscriberStatus.COMPLAINED
        subscriber.complained_at = now
        field = "complained_at"
    subscriber.save(update_fields=["status", field, "updated_at"])
    latest = (
        Delivery.objects.filter(subscriber=subscriber, status=DeliveryStatus.SENT, **{f"{field}__isnull": True})
        .order_by("-sent_at")
        .first()
    )
    if latest is not None:
        Delivery.objects.filter(pk=latest.pk).update(**{field: now})
    return subscriber


def personal_data(email):
    """What the newsletter holds about an address (for the directory's data export)."""
    subscriber = Subscriber.objects.filter(email=normalise_email(email)).first()
    if subscriber is None:
        return {}

    def stamp(value):
        return value.isoformat() if value else None

    return {
        "email": subscriber.email,
        "status": subscriber.status,
        "language": subscriber.language,
        "interests": subscriber.interest_slugs(),
        "consent": {
            "at": stamp(subscriber.consent_at),
            "ip": subscriber.consent_ip,
            "user_agent": subscriber.consent_user_agent,
            "source": subscriber.consent_source,
            "wording_version": subscriber.consent_wording,
            "confirmed_at": stamp(subscriber.confirmed_at),
        },
        "unsubscribed_at": stamp(subscriber.unsubscribed_at),
        "issues_received": subscriber.deliveries.filter(status="sent").count(),
        "created_at": stamp(subscriber.created_at),
    }


def erase(email):
    """Deletes the subscriber (delivery rows stay, detached, so past issues keep their figures)."""
    deleted, _rows = Subscriber.objects.filter(email=normalise_email(email)).delete()
    return bool(deleted)


def subscription_rate():
    return settings.NEWSLETTER_SUBSCRIBE_RATE
