"""Admin pages of the newsletter: every issue's figures, and one issue's test send, send and progress."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hub.models import Programme, Thematic
from newsletter.models import NewsletterIssuePage
from newsletter.rendering import source_issue
from newsletter.sending import SendError, figures, recipients, send_test, start_sending


def _can_view(user):
    return user.has_perm("newsletter.send_newsletter") or user.has_perm("newsletter.view_delivery")


class TestSendForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Adresse de test"))


class SendForm(forms.Form):
    programmes = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Programmes"),
        queryset=Programme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    thematics = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Thématiques"),
        queryset=Thematic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("Je confirme l'envoi (il ne peut pas être annulé)"),
        error_messages={"required": gettext_lazy("Cochez la confirmation pour lancer l'envoi.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programmes"].queryset = Programme.objects.filter(locale__language_code="fr")
        self.fields["thematics"].queryset = Thematic.objects.filter(locale__language_code="fr")
        self.fields["programmes"].help_text = _("Sans choix : tous les abonné·es actifs.")


def overview(request):
    if not _can_view(request.user):
        raise PermissionDenied
    issues = NewsletterIssuePage.objects.filter(locale__language_code="fr").order_by("-issue_date")[:50]
    rows = [(issue, figures(issue)) for issue in issues]
    return render(
        request,
        "newsletter/admin/overview.html",
        {"rows": rows, "page_title": _("Envois de la lettre"), "header_icon": "mail"},
    )


def issue_dashboard(request, page_id):
    if not _can_view(request.user):
        raise PermissionDenied
    issue = source_issue(get_object_or_404(NewsletterIssuePage, pk=page_id))
    test_form = TestSendForm(initial={"email": request.user.email})
    send_form = SendForm()
    if request.method == "POST":
        if not request.user.has_perm("newsletter.send_newsletter"):
            raise PermissionDenied
        if request.POST.get("action") == "test":
            test_form = TestSendForm(request.POST)
            if test_form.is_valid():
                send_test(issue, test_form.cleaned_data["email"])
                messages.success(
                    request, _("Courriel de test envoyé à %(email)s.") % {"email": test_form.cleaned_data["email"]}
                )
                return redirect("newsletter_issue", issue.pk)
        elif request.POST.get("action") == "send":
            send_form = SendForm(request.POST)
            if send_form.is_valid():
                try:
                    added = start_sending(
                        issue,
                        programmes=list(send_form.cleaned_data["programmes"]),
                        thematics=list(send_form.cleaned_data["thematics"]),
                        user=request.user,
                    )
                except SendError as error:
                    messages.error(request, str(error))
                else:
                    messages.success(request, _("Envoi lancé : %(count)s destinataires ajoutés.") % {"count": added})
                    return redirect("newsletter_issue", issue.pk)
    context = {
        "issue": issue,
        "figures": figures(issue),
        "test_form": test_form,
        "send_form": send_form,
        "active_count": recipients().count(),
        "can_send": request.user.has_perm("newsletter.send_newsletter"),
        "page_title": _("Lettre : %(title)s") % {"title": issue.title},
        "header_icon": "mail",
    }
    return render(request, "newsletter/admin/issue.html", context)


def issue_progress(request, page_id):
    if not _can_view(request.user):
        raise PermissionDenied
    issue = get_object_or_404(NewsletterIssuePage, pk=page_id)
    data = figures(issue)
    data.pop("started_at", None)
    return JsonResponse(data)


def issue_email_preview(request, page_id):
    """The email of the issue's latest revision, as a subscriber would see it (no personal link)."""
    from django.http import HttpResponse

    from newsletter.rendering import preview_html

    page = get_object_or_404(NewsletterIssuePage, pk=page_id)
    if not page.permissions_for_user(request.user).can_edit() and not _can_view(request.user):
        raise PermissionDenied
    return HttpResponse(preview_html(page.get_latest_revision_as_object()))
