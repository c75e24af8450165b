"""A member's account at /fr/compte/: log in and out, passwords, own profile, data export, deletion."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from hub.forms import search_communes
from hub.pagestate import index_page
from hub.ratelimit import over_limit
from network.email_change import ChangeRefused, confirm_change, pending_change, request_change
from network.forms import (
    DeleteAccountForm,
    DsfrLoginForm,
    DsfrPasswordChangeForm,
    DsfrPasswordResetForm,
    DsfrSetPasswordForm,
    EmailChangeForm,
    ProfileForm,
)
from network.membership import request_language
from network.models import MemberIndexPage
from network.personal_data import erase_account, export_personal_data
from network.tokens import activation_token
from network.visibility import preview_for


def directory_page():
    """The directory page in the current language (the French one when it has no translation)."""

    return index_page(MemberIndexPage)[1]


def directory_url():
    """The directory page's URL in the current language (profiles link back to it)."""
    index = directory_page()
    return index.url if index is not None else None


class LoginView(auth_views.LoginView):
    template_name = "account/login.html"
    form_class = DsfrLoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        directory = directory_page()
        context["apply_url"] = directory.apply_url() if directory else None
        return context

    def post(self, request, *args, **kwargs):
        if over_limit(request, "network-login", settings.NETWORK_LOGIN_RATE):
            form = self.get_form()
            form.is_valid()
            form.add_error(None, _("Trop de tentatives depuis votre connexion. Réessayez plus tard."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class LogoutView(auth_views.LogoutView):
    template_name = "account/logged_out.html"


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "account/password_reset.html"
    form_class = DsfrPasswordResetForm
    success_url = reverse_lazy("network:password_reset_done")

    def post(self, request, *args, **kwargs):
        if over_limit(request, "network-password-reset", settings.NETWORK_PASSWORD_RESET_RATE):
            form = self.get_form()
            form.is_valid()
            form.add_error(None, _("Trop de demandes depuis votre connexion. Réessayez plus tard."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "account/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "account/password_set.html"
    form_class = DsfrSetPasswordForm
    success_url = reverse_lazy("network:password_reset_complete")
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "account/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "account/password_change.html"
    success_url = reverse_lazy("network:profile")

    form_class = DsfrPasswordChangeForm

    def form_valid(self, form):
        messages.success(self.request, _("Votre mot de passe est modifié."))
        return super().form_valid(form)


@sensitive_post_parameters()
def activate(request, uidb64, token):
    """The link from the approval email: choose a password, and the account is active (once)."""
    User = get_user_model()
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        user = None
    valid = user is not None and not user.is_active and activation_token.check_token(user, token)
    if not valid:
        return render(request, "account/activation_invalid.html", status=400)
    if request.method == "POST":
        form = DsfrSetPasswordForm(user, request.POST)
        if form.is_valid():
            user = form.save(commit=False)
            user.is_active = True
            user.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Votre compte est actif. Complétez votre profil."))
            return redirect("network:profile")
        status = 400
    else:
        form = DsfrSetPasswordForm(user)
        status = 200
    return render(request, "account/activate.html", {"form": form, "account": user}, status=status)


def _member_or_404(request):
    member = getattr(request.user, "member", None)
    if member is None:
        raise Http404
    return member


@login_required
def profile_edit(request):
    member = getattr(request.user, "member", None)
    if member is None:
        # Staff accounts without a profile have nothing to edit here.
        return render(request, "account/no_profile.html")
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, instance=member)
        if form.is_valid():
            form.save()
            messages.success(request, _("Votre profil est enregistré."))
            return redirect("network:profile")
        status = 400
    else:
        form = ProfileForm(instance=member)
        status = 200
    return render(
        request,
        "account/profile_edit.html",
        {"form": form, "member": member, "directory_url": directory_url()},
        status=status,
    )


@login_required
def profile_preview(request):
    """The owner's own profile as the public (or as members) see it, whatever its visibility."""

    member = _member_or_404(request)
    as_member = request.GET.get("vue") == "membres"
    return render(
        request,
        "account/profile_preview.html",
        {"profile": preview_for(member, as_member), "member": member, "as_member": as_member},
    )


@login_required
def data_export(request):
    data = export_personal_data(request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="mes-donnees-centralites.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@sensitive_post_parameters()
def delete_account(request):
    if request.method == "POST":
        form = DeleteAccountForm(request.POST, user=request.user)
        if form.is_valid():
            user = request.user
            logout(request)
            erase_account(user)
            return redirect(reverse("network:deleted"))
        status = 400
    else:
        form = DeleteAccountForm(user=request.user)
        status = 200
    return render(request, "account/delete.html", {"form": form}, status=status)


def deleted(request):
    return render(request, "account/deleted.html")


@login_required
@sensitive_post_parameters()
def email_change(request):
    """Asks for a new address: the link goes to it; the account's address changes only when it is followed."""

    if request.method == "POST":
        form = EmailChangeForm(request.POST, user=request.user)
        if over_limit(request, "network-email-change", settings.NETWORK_EMAIL_CHANGE_RATE):
            form.is_valid()
            form.add_error(None, _("Trop de demandes depuis votre connexion. Réessayez plus tard."))
            return render(request, "account/email_change.html", {"form": form}, status=429)
        if form.is_valid():
            request_change(request.user, form.cleaned_data["new_email"], request_language(request))
            return render(request, "account/email_change_sent.html", {"new_email": form.cleaned_data["new_email"]})
        status = 400
    else:
        form = EmailChangeForm(user=request.user)
        status = 200
    return render(
        request, "account/email_change.html", {"form": form, "current_email": request.user.email}, status=status
    )


def email_change_confirm(request, token):
    """The link from the email: a button confirms (a mail scanner's visit changes nothing)."""

    change = pending_change(token)
    if change is None:
        return render(request, "account/email_change_invalid.html", status=400)
    if request.method == "POST":
        try:
            user = confirm_change(token, request_language(request))
        except ChangeRefused:
            return render(request, "account/email_change_invalid.html", status=400)
        if request.user.is_authenticated and request.user.pk == user.pk:
            messages.success(request, _("Votre adresse électronique est changée."))
            return redirect("network:profile")
        return render(request, "account/email_change_done.html", {"new_email": user.email})
    return render(request, "account/email_change_confirm.html", {"new_email": change.new_email})


def communes(request):
    """Autocomplete for commune inputs: ?q= the start of a name (or an INSEE code), at most 20 answers."""

    response = JsonResponse({"results": search_communes(request.GET.get("q", "")[:100].replace("\x00", ""))})
    response["Cache-Control"] = "public, max-age=3600"
    return response


@login_required
def account_home(request):
    return redirect("network:profile")


def locked_out(request, credentials=None, *args, **kwargs):
    """What django-axes answers once too many logins failed for this address and account."""
    return render(request, "account/locked.html", status=429)
