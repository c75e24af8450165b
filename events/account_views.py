"""A logged-in member's own registrations, in their account."""

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import get_language

from events.personal_data import registrations_of


def registrations_for_account(user, language=None):
    """(upcoming, past) registrations of `user` (by account or address), each with `display` (the event
    in `language` when translated) and `link` (the private page in that language)."""
    language = (language or get_language() or "fr")[:2]
    now = timezone.now()
    upcoming, past = [], []
    queryset = registrations_of(user).select_related("event").exclude(email="").order_by("event__start", "pk")
    for registration in queryset:
        registration.display = registration.event.in_language(language)
        registration.link = registration.private_path(language)
        (upcoming if registration.event.end >= now else past).append(registration)
    past.reverse()
    return upcoming, past


@login_required
def my_registrations(request):
    upcoming, past = registrations_for_account(request.user)
    response = TemplateResponse(request, "events/account_registrations.html", {"upcoming": upcoming, "past": past})
    response["Cache-Control"] = "private, no-store"
    return response
