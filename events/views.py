"""Views behind the events' routes (see EventIndexPage and EventPage).

Listings are cached for anonymous visitors (hub.cache) and show no seat counts, so registrations need
not invalidate that cache; event pages and registration pages are rendered on every request.
"""

import json

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from events import registration as seats
from events.forms import RegistrationForm, SessionChangeForm
from events.ics import calendar_bytes, ics_response
from events.listing import PAST, event_listing
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
    context = event.get_context(request)
    context.update(
        registration_state=event.registration_state(),
        seats_left=event.seats_left(),
        own_registration=_own_registration(request, event),
        sessions=list(event.ordered_sessions()) if getattr(event, "has_sessions", True) else [],
        json_ld=json_ld_script(event.json_ld(request)),
        is_past=event.is_past(),
    )
    return TemplateResponse(request, event.get_template(request), context)


def register(request, event):
    if event.members_only and not is_member(request.user):
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
    if request.method == "POST":
        form = RegistrationForm(request.POST, event=event, user=request.user)
        rate = getattr(settings, "EVENTS_REGISTRATION_RATE", "10/m")  # None turns the limit off (benchmarks)
        if rate and over_limit(request, "event-registration", rate):
            form.is_valid()
            form.add_error(None, _("Trop d'envois depuis votre connexion : réessayez dans quelques minutes."))
            status = 429
        elif form.is_valid():
            try:
                registration, created = seats.register(
                    event,
                    form.person_data(),
                    sessions=form.cleaned_data.get("sessions") or [],
                    user=request.user,
                    language=get_language() or "fr",
                )
            except seats.RegistrationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                context["registration_state"] = event.registration_state()
            else:
                if created:
                    return redirect(f"{_private_path(request, event, registration)}?nouvelle=1")
                from events.tasks import send_private_link

                send_private_link.enqueue(registration.pk)
                context["already"] = registration
    else:
        form = RegistrationForm(event=event, user=request.user)
    context["form"] = form
    context.setdefault("registration_state", event.registration_state())
    response = TemplateResponse(request, "pages/event_registration.html", context, status=status)
    return _private(response)


def _private_path(request, event, registration):
    """The private link under the agenda the visitor is on; cheap when it is the event's own agenda."""
    event_url = event.get_url(request) or ""
    if event_url.startswith(f"/{get_language()}/") and event_url.endswith(f"/{event.slug}/"):
        return f"{event_url[: -len(event.slug) - 1]}inscription/{registration.token}/"
    return registration.private_path(get_language())


def registration_detail(request, index_page, token):
    from events.models import Registration

    registration = (
        Registration.objects.select_related("event", "commune")
        .filter(token=token, anonymised_at=None)
        .exclude(email="")
        .first()
    )
    if registration is None:
        raise Http404
    event = registration.event
    here = request.path
    session_form = None
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "cancel":
            if registration.is_active:
                seats.cancel(registration)
            return redirect(f"{here}?annulee=1")
        if action == "sessions":
            session_form = SessionChangeForm(request.POST, registration=registration)
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
        session_form = SessionChangeForm(registration=registration)
    registration.refresh_from_db()
    context = index_page.get_context(request)
    context.update(
        page=index_page,
        self=index_page,
        registration=registration,
        event=event,
        sessions=list(registration.sessions.order_by("start", "pk")),
        session_form=session_form if registration.is_active and not event.is_past() else None,
        show_online_link=bool(event.online_url) and registration.holds_seat,
        can_cancel=registration.is_active and not event.is_past(),
        error=error,
        created=request.GET.get("nouvelle") == "1",
        cancelled=request.GET.get("annulee") == "1",
        changed=request.GET.get("modifiee") == "1",
    )
    status = 400 if (session_form is not None and session_form.errors) or error else 200
    return _private(TemplateResponse(request, "pages/event_registration_detail.html", context, status=status))


def _upcoming_pages(index_page):
    from events.listing import source_index
    from events.models import EventPage

    return (
        EventPage.objects.child_of(source_index(index_page))
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


def registration_route(request, slug):
    """See events/urls.py: the registration form of `slug`, routed from its agenda without the tree walk."""
    from django.utils.translation import get_language
    from wagtail import hooks
    from wagtail.models import Site
    from wagtail.views import serve as wagtail_serve
    from wagtail.views import serve_chain

    from events.models import EventIndexPage

    page_path = request.path_info.lstrip("/").partition("/")[2]  # without the language prefix
    agenda_slug = page_path.split("/", 1)[0]
    route_result = None
    # One site only: with several, which agenda a host means is for Wagtail's own routing to decide.
    if len({root.site_id for root in Site.get_site_root_paths()}) == 1:
        agenda = (
            EventIndexPage.objects.live()
            .filter(slug=agenda_slug, locale__language_code=get_language(), depth=3)
            .first()
        )
        if agenda is not None:
            try:
                route_result = agenda.route(request, [slug, "inscription"])
            except Http404:
                route_result = None
    if route_result is None:
        return wagtail_serve(request, page_path)
    page, args, kwargs = route_result
    on_serve_chain = serve_chain
    for fn in reversed(hooks.get_hooks("on_serve_page")):
        on_serve_chain = fn(on_serve_chain)
    for fn in hooks.get_hooks("before_serve_page"):
        result = fn(page, request, args, kwargs)
        if isinstance(result, HttpResponse):
            return result
    return on_serve_chain(page, request, args, kwargs)
