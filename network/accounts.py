"""A member's account at /fr/compte/: log in and out, passwords, own profile, data export, deletion."""

import json

from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from hub.ratelimit import over_limit
from network.forms import (
    DeleteAccountForm,
    DsfrLoginForm,
    DsfrPasswordChangeForm,
    DsfrPasswordResetForm,
    DsfrSetPasswordForm,
    ProfileForm,
)
from network.tokens import activation_token


def directory_url():
    """The directory page in the current language (profiles link back to it)."""
    from network.models import MemberIndexPage

    index = MemberIndexPage.objects.live().filter(locale__language_code="fr").first()
    if index is None:
        return None
    return (index.localized or index).url


class LoginView(auth_views.LoginView):
    template_name = "account/login.html"
    form_class = DsfrLoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        directory = directory_url()
        context["apply_url"] = f"{directory}adherer/" if directory else None
        return context

    def post(self, request, *args, **kwargs):
        if over_limit(request, "network-login", "30/h"):
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
        if over_limit(request, "network-password-reset", "10/h"):
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
    from network.visibility import preview_for

    member = _member_or_404(request)
    as_member = request.GET.get("vue") == "membres"
    return render(
        request,
        "account/profile_preview.html",
        {"profile": preview_for(member, as_member), "member": member, "as_member": as_member},
    )


@login_required
def data_export(request):
    from network.personal_data import export_personal_data

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
    from network.personal_data import erase_account

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
def account_home(request):
    return redirect("network:profile")


def locked_out(request, credentials=None, *args, **kwargs):
    """What django-axes answers once too many logins failed for this address and account."""
    return render(request, "account/locked.html", status=429)
