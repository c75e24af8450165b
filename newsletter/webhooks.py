"""Bounce and complaint reports from the email provider (django-anymail tracking webhooks).

Hard bounces and spam complaints stop the sending to an address; soft bounces and deferrals do not.
The webhook URLs answer only when ANYMAIL["WEBHOOK_SECRET"] is set (basic auth), so nobody can mark
addresses as bounced by posting to an open URL.
"""

from anymail.signals import AnymailTrackingEvent, tracking
from anymail.webhooks.brevo import BrevoTrackingWebhookView
from anymail.webhooks.mailjet import MailjetTrackingWebhookView
from django.conf import settings
from django.dispatch import receiver
from django.http import Http404
from django.views.decorators.csrf import csrf_exempt

from newsletter.models import Subscriber, normalise_email
from newsletter.subscriptions import record_delivery_problem, unsubscribe

SOFT = {"soft_bounce", "deferred"}


def _secured(view_class):
    view = view_class.as_view()

    @csrf_exempt
    def secured(request, *args, **kwargs):
        if not settings.ANYMAIL.get("WEBHOOK_SECRET"):
            raise Http404("webhook secret not configured")
        return view(request, *args, **kwargs)

    return secured


brevo_tracking = _secured(BrevoTrackingWebhookView)
mailjet_tracking = _secured(MailjetTrackingWebhookView)


def is_hard_bounce(event: AnymailTrackingEvent):
    esp_event = event.esp_event if isinstance(event.esp_event, dict) else {}
    if esp_event.get("event") in SOFT:
        return False
    if "hard_bounce" in esp_event:  # Mailjet says which kind of bounce it is
        return bool(esp_event.get("hard_bounce"))
    return True


@receiver(tracking, dispatch_uid="newsletter-tracking")
def handle_tracking(sender, event, esp_name, **kwargs):
    if not event.recipient:
        return
    if event.event_type == "bounced" and is_hard_bounce(event):
        record_delivery_problem(event.recipient, "bounced", event.timestamp)
    elif event.event_type == "complained":
        record_delivery_problem(event.recipient, "complained", event.timestamp)
    elif event.event_type == "unsubscribed":
        subscriber = Subscriber.objects.filter(email=normalise_email(event.recipient)).first()
        if subscriber is not None:
            unsubscribe(subscriber, event.timestamp)
