"""The directory's public views, behind MemberIndexPage's routes: listing, profile, contact relay, joining."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from hub.cache import page_scope
from hub.facets import listing_response
from hub.ratelimit import over_limit
from network.access import is_member
from network.forms import ApplicationForm, ContactForm
from network.listing import DIRECTORY_SCOPE, member_listing
from network.membership import receive_application
from network.relay import RelayRefused, relay
from network.visibility import ProfileView, fields_for, profile_for


def _prepare(queryset):
    return queryset.select_related("organisation", "commune", "department").prefetch_related("programmes")


def directory(request, index_page):
    fields = fields_for(request.user)

    def extra(listing):
        return {"viewer_is_member": is_member(request.user)}

    return listing_response(
        request,
        index_page,
        lambda: member_listing(request),
        prepare=_prepare,
        extra_context=extra,
        present=lambda member: ProfileView(member, fields),
        scopes=[page_scope(index_page), DIRECTORY_SCOPE],
    )


def _page_context(request, index_page, **extra):
    context = index_page.get_context(request)
    context.update(extra)
    return context


def profile(request, index_page, slug, contact_form=None, status=200):
    view = profile_for(request.user, slug)
    if view is None:
        # Unknown, hidden and members-only (for visitors) look the same: nothing to learn by guessing.
        raise Http404
    own_profile = request.user.is_authenticated and view.member.user_id == request.user.pk
    if contact_form is None and view.accepts_messages and not own_profile:
        contact_form = ContactForm(user=request.user)
    context = _page_context(
        request,
        index_page,
        profile=view,
        breadcrumb_title=view.full_name,
        contact_form=contact_form,
        own_profile=own_profile,
        viewer_is_member=is_member(request.user),
        message_sent=request.GET.get("envoye") == "1",
    )
    return TemplateResponse(request, "pages/member_profile.html", context, status=status)


def contact(request, index_page, slug):
    view = profile_for(request.user, slug)
    if view is None or not view.accepts_messages:
        raise Http404
    if request.user.is_authenticated and view.member.user_id == request.user.pk:
        # Nobody writes to themselves through the relay.
        return redirect(f"{index_page.url}{slug}/")
    if request.method != "POST":
        return redirect(f"{index_page.url}{slug}/#contact")
    form = ContactForm(request.POST, user=request.user)
    if over_limit(request, "network-contact", settings.NETWORK_CONTACT_RATE):
        form.is_valid()
        form.add_error(None, _("Trop d'envois depuis votre connexion. Réessayez plus tard."))
        return profile(request, index_page, slug, contact_form=form, status=429)
    if not form.is_valid():
        return profile(request, index_page, slug, contact_form=form, status=400)
    try:
        relay(request, view.member.pk, form)
    except RelayRefused as refusal:
        form.add_error(None, str(refusal))
        return profile(request, index_page, slug, contact_form=form, status=429)
    return redirect(f"{index_page.url}{slug}/?envoye=1#contact")


def apply(request, index_page):
    if request.GET.get("envoye") == "1":
        return TemplateResponse(request, "pages/member_application.html", _page_context(request, index_page, sent=True))
    status = 200
    if request.method == "POST":
        form = ApplicationForm(request.POST)
        if over_limit(request, "network-apply", settings.NETWORK_APPLY_RATE):
            form.is_valid()
            form.add_error(None, _("Trop de demandes depuis votre connexion. Réessayez plus tard."))
            status = 429
        elif form.is_valid():
            receive_application(form, request)
            return redirect(f"{index_page.apply_url()}?envoye=1")
        else:
            status = 400
    else:
        form = ApplicationForm()
    return TemplateResponse(
        request,
        "pages/member_application.html",
        _page_context(request, index_page, form=form, breadcrumb_title=_("Rejoindre le réseau")),
        status=status,
    )
