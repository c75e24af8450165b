"""Views behind the events' routes (see EventIndexPage and EventPage).

Listings are cached for anonymous visitors (hub.cache) and show no seat counts, so registrations need
not invalidate that cache; event pages and registration pages are rendered on every request.
"""

import json

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from events import registration as seats
from events.forms import RegistrationForm, SessionChangeForm
from events.ics import calendar_bytes, ics_response, registration_calendar
from events.listing import PAST, event_listing
from events.models import EventPage, Registration
from events.tasks import display_sessions, send_private_link
from hub.facets import listing_response
from hub.ratelimit import over_limit
from network.access import is_member


def _private(response):
    """Pages about one person's registration: never cached, never indexed.

    The site's Referrer-Policy (same-origin) already keeps the token away from other sites; "no-referrer"
    would make browsers send "Origin: null" with the page's forms, which CSRF protection refuses.
    """
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def event_listing_view(request, index_page):
    return listing_response(
        request,
        index_page,
        lambda: event_listing(request, index_page),
        prepare=lambda queryset: queryset.select_related("commune").prefetch_related("thematics"),
        extra_context=lambda listing: {"past": listing.period == PAST},
    )


def json_ld_script(data):
    """JSON for a <script type="application/ld+json">: characters that could close the element are escaped."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _own_registration(request, event):
    if not request.user.is_authenticated:
        return None
    return (
        event.registrations.filter(user=request.user, status__in=event.registrations.model.ACTIVE).first()
        or event.registrations.filter(email=(request.user.email or "").lower(), status__in=["confirmed"])
        .exclude(email="")
        .first()
    )


def event_detail(request, event):
    """An event in its language; seats and registrations are those of the French page (see source_event)."""
    source = event.source_event()
    context = event.get_context(request)
    speakers = list(event.speakers.all())  # read once: the page and its JSON-LD both list them
    context.update(
        speakers=speakers,
        registration_state=source.registration_state(),
        seats_left=source.seats_left(),
        own_registration=_own_registration(request, source),
        sessions=list(event.ordered_sessions()),
        json_ld=json_ld_script(event.json_ld(request, speakers=speakers)),
        is_past=event.is_past(),
        registration_path=event.registration_path(),
    )
    return TemplateResponse(request, event.get_template(request), context)


def resends_per_day():
    """How many times a day one address may be sent its private link again (settings, default 3)."""
    return settings.EVENTS_LINK_RESENDS_PER_DAY


def _resend_allowed(request, email):
    limit = resends_per_day()
    if limit <= 0:
        return False
    return not over_limit(request, "event-link-resend", f"{limit}/d", key=lambda _group, _request: email)


def _profile_initial(user):
    """The registration form's defaults for a logged-in member: their account and directory profile."""
    if user is None or not user.is_authenticated:
        return {}
    initial = {"email": user.email, "first_name": user.first_name, "last_name": user.last_name}
    member = getattr(user, "member", None) if hasattr(user, "member") else None
    if member is not None:
        for field in ("first_name", "last_name"):
            initial[field] = initial[field] or getattr(member, field, "") or ""
        organisation = getattr(member, "organisation", None)
        name = getattr(organisation, "name", None) or getattr(member, "organisation_name", "") or ""
        if name:
            initial["organisation"] = name
        if getattr(member, "job_title", ""):
            initial["role"] = member.job_title
        commune = getattr(member, "commune", None)
        if commune is not None and getattr(commune, "insee_code", None):
            initial["commune"] = commune.insee_code
    return {key: value for key, value in initial.items() if value}


def register(request, event):
    """The registration form of `event` (French or English page); the registration itself belongs to the
    French page. Whether the address was already registered or not, the visitor is told the same thing:
    check your inbox (the owner of an address already registered is sent their private link, at most
    EVENTS_LINK_RESENDS_PER_DAY times a day)."""
    source = event.source_event()
    if source.members_only and not is_member(request.user):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        response = TemplateResponse(
            request, "pages/event_registration.html", {"page": event, "self": event, "members_only_refused": True}
        )
        response.status_code = 403
        return response
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    context = {"page": event, "self": event}
    status = 200
    form_options = {"event": source, "user": request.user, "display": event}
    if request.method == "POST":
        form = RegistrationForm(request.POST, **form_options)
        rate = settings.EVENTS_REGISTRATION_RATE  # None turns the limit off (benchmarks)
        if rate and over_limit(request, "event-registration", rate):
            form.is_valid()
            form.add_error(None, _("Trop d'envois depuis votre connexion : réessayez dans quelques minutes."))
            status = 429
        elif form.is_valid():
            try:
                registration, created = seats.register(
                    source,
                    form.person_data(),
                    sessions=form.cleaned_data.get("sessions") or [],
                    user=request.user,
                    language=(get_language() or "fr")[:2],
                )
            except seats.RegistrationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                if not created and _resend_allowed(request, registration.email):
                    send_private_link.enqueue(registration.pk)
                return redirect(f"{event.registration_path()}?envoyee=1")
    else:
        form = RegistrationForm(initial=_profile_initial(request.user), **form_options)
    context["form"] = form
    context["sent"] = request.method == "GET" and request.GET.get("envoyee") == "1"
    context["registration_state"] = source.registration_state()
    response = TemplateResponse(request, "pages/event_registration.html", context, status=status)
    return _private(response)


def _registration_by_token(token):
    registration = (
        Registration.objects.select_related("event", "commune")
        .filter(token=token, anonymised_at=None)
        .exclude(email="")
        .first()
    )
    if registration is None:
        raise Http404
    return registration


def _detail_context(request, index_page, registration):
    language = (get_language() or "fr")[:2]
    event = registration.event
    display = event.in_language(language)

    return {
        **index_page.get_context(request),
        "page": index_page,
        "self": index_page,
        "registration": registration,
        "event": display,
        "source_event": event,
        "sessions": display_sessions(registration, display),
        "private_path": registration.private_path(language),
        "cancel_path": registration.cancel_path(language),
    }


def registration_detail(request, index_page, token):
    registration = _registration_by_token(token)
    event = registration.event
    language = (get_language() or "fr")[:2]
    here = request.path
    session_form = None
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "cancel":  # the confirmation step is a page of its own (see registration_cancel)
            return redirect(registration.cancel_path(language))
        if action == "sessions":
            session_form = SessionChangeForm(
                request.POST, registration=registration, display=event.in_language(language)
            )
            if session_form.is_valid():
                try:
                    seats.change_sessions(registration, session_form.cleaned_data.get("sessions") or [])
                except seats.RegistrationError as problem:
                    session_form.add_error("sessions" if "sessions" in session_form.fields else None, problem.message)
                else:
                    return redirect(f"{here}?modifiee=1")
        else:
            error = _("Action inconnue.")
    if session_form is None and registration.is_active and event.sessions.exists():
        session_form = SessionChangeForm(registration=registration, display=event.in_language(language))
    registration.refresh_from_db()
    context = _detail_context(request, index_page, registration)
    context.update(
        session_form=session_form if registration.is_active and not event.is_past() else None,
        show_online_link=bool(event.online_url) and registration.holds_seat,
        can_cancel=registration.is_active and not event.is_past(),
        show_calendar=registration.is_active,
        waitlist_position=waitlist_position(registration),
        error=error,
        created=request.GET.get("nouvelle") == "1",
        cancelled=request.GET.get("annulee") == "1",
        changed=request.GET.get("modifiee") == "1",
    )
    status = 400 if (session_form is not None and session_form.errors) or error else 200
    return _private(TemplateResponse(request, "pages/event_registration_detail.html", context, status=status))


def waitlist_position(registration):
    """1 for the first person waiting, and so on (the order in which seats are given); None otherwise."""

    if registration.status != "waitlisted":
        return None
    mine = (registration.waitlisted_at, registration.pk)
    ahead = registration.event.registrations.filter(status="waitlisted")
    if mine[0] is None:
        ahead = ahead.filter(Q(waitlisted_at__isnull=False) | Q(pk__lt=registration.pk))
    else:
        ahead = ahead.filter(Q(waitlisted_at__lt=mine[0]) | Q(waitlisted_at=mine[0], pk__lt=registration.pk))
    return ahead.count() + 1


def registration_cancel(request, index_page, token):
    """The confirmation step of a cancellation: GET asks, POST cancels and goes back to the private page."""
    registration = _registration_by_token(token)
    language = (get_language() or "fr")[:2]
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if not registration.is_active or registration.event.is_past():
        return redirect(registration.private_path(language))
    if request.method == "POST":
        if request.POST.get("confirm") == "oui":
            seats.cancel(registration)
            return redirect(f"{registration.private_path(language)}?annulee=1")
        return redirect(registration.private_path(language))
    context = _detail_context(request, index_page, registration)
    return _private(TemplateResponse(request, "pages/event_registration_cancel.html", context))


def _upcoming_pages(index_page):
    return (
        EventPage.objects.child_of(index_page.source_index())
        .live()
        .public()
        .filter(end__gte=timezone.now())
        .select_related("commune")
        .order_by("start", "pk")
    )


def calendar_feed(request, index_page):
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    content = calendar_bytes(_upcoming_pages(index_page), name=_("Agenda des centralités"))
    return ics_response(content, "calendrier.ics")


def event_ics(request, event):
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return ics_response(calendar_bytes([event]), "evenement.ics")


def registration_ics(request, index_page, token):
    """The attendee's own calendar entries (their sessions' times); none once cancelled."""
    registration = _registration_by_token(token)
    if not registration.is_active:
        raise Http404

    display = registration.event.in_language(get_language())
    sessions = display_sessions(registration, display)
    content = registration_calendar(registration, sessions=sessions, display=display)
    return _private(ics_response(content, "inscription.ics"))
