"""Admin pages of the newsletter: every issue's figures, and one issue's test send, send and progress."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hub.models import Programme, Thematic
from newsletter.models import IssueSend, NewsletterIssuePage
from newsletter.rendering import preview_html, source_issue
from newsletter.sending import (
    SendError,
    english_fallback,
    figures,
    figures_by_issue,
    placeholder_message,
    send_test,
    start_sending,
    unfinished_blocks,
)


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
        required=False,
    )

    def __init__(self, *args, confirming=False, **kwargs):
        self.confirming = confirming
        super().__init__(*args, **kwargs)
        self.fields["programmes"].queryset = Programme.objects.filter(locale__language_code="fr")
        self.fields["thematics"].queryset = Thematic.objects.filter(locale__language_code="fr")
        self.fields["programmes"].help_text = _("Sans choix : tous les abonné·es actifs.")

    def clean(self):
        cleaned = super().clean()
        if self.confirming and not cleaned.get("confirm"):
            self.add_error("confirm", _("Cochez la confirmation pour lancer l'envoi."))
        return cleaned

    def segment(self):
        return list(self.cleaned_data["programmes"]), list(self.cleaned_data["thematics"])


def overview(request):
    if not _can_view(request.user):
        raise PermissionDenied
    issues = list(NewsletterIssuePage.objects.filter(locale__language_code="fr").order_by("-issue_date")[:50])
    by_issue = figures_by_issue([issue.pk for issue in issues])
    rows = [(issue, by_issue[issue.pk]) for issue in issues]
    return render(
        request,
        "newsletter/admin/overview.html",
        {"rows": rows, "page_title": _("Envois de la lettre"), "header_icon": "mail"},
    )


def issue_dashboard(request, page_id):
    """Figures, test send, and the send in two steps: choose the segment, then read who will receive what
    (how many English subscribers get the French issue when it has no English version) and confirm."""
    if not _can_view(request.user):
        raise PermissionDenied
    issue = source_issue(get_object_or_404(NewsletterIssuePage, pk=page_id))
    test_form = TestSendForm(initial={"email": request.user.email})
    send_form = SendForm()
    review = None
    sent = _sent(issue)
    if request.method == "POST":
        if not request.user.has_perm("newsletter.send_newsletter"):
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "test":
            test_form = TestSendForm(request.POST)
            if test_form.is_valid():
                send_test(issue, test_form.cleaned_data["email"], user=request.user)
                messages.success(
                    request, _("Courriel de test envoyé à %(email)s.") % {"email": test_form.cleaned_data["email"]}
                )
                return redirect("newsletter_issue", issue.pk)
        elif action in ("review", "send") and sent:
            messages.error(request, _("Ce numéro a déjà été envoyé : il ne peut pas être envoyé une seconde fois."))
            return redirect("newsletter_issue", issue.pk)
        elif action in ("review", "send"):
            send_form = SendForm(request.POST, confirming=action == "send")
            if send_form.is_valid():
                programmes, thematics = send_form.segment()
                if action == "send":
                    try:
                        added = start_sending(issue, programmes=programmes, thematics=thematics, user=request.user)
                    except SendError as error:
                        messages.error(request, str(error))
                    else:
                        messages.success(
                            request, _("Envoi lancé : %(count)s destinataires ajoutés.") % {"count": added}
                        )
                        return redirect("newsletter_issue", issue.pk)
                review = english_fallback(issue, programmes, thematics)
            elif action == "send" and not send_form.has_error("programmes") and not send_form.has_error("thematics"):
                review = english_fallback(issue, *_segment_of(send_form))
    unfinished = unfinished_blocks(issue) if issue.live else []
    context = {
        "issue": issue,
        "figures": figures(issue),
        "test_form": test_form,
        "send_form": send_form,
        "review": review,
        "sent": sent,
        "placeholder_error": placeholder_message(unfinished) if unfinished else "",
        "active_count": english_fallback(issue)["recipients"],
        "can_send": request.user.has_perm("newsletter.send_newsletter"),
        "page_title": _("Lettre : %(title)s") % {"title": issue.title},
        "header_icon": "mail",
    }
    return render(request, "newsletter/admin/issue.html", context)


def _sent(issue):
    return IssueSend.objects.filter(issue=issue).select_related("requested_by").first()


def _segment_of(form):
    data = getattr(form, "cleaned_data", {})
    return list(data.get("programmes") or []), list(data.get("thematics") or [])


def issue_progress(request, page_id):
    if not _can_view(request.user):
        raise PermissionDenied
    issue = get_object_or_404(NewsletterIssuePage, pk=page_id)
    data = figures(issue)
    data.pop("started_at", None)
    return JsonResponse(data)


def issue_email_preview(request, page_id):
    """The email of the issue's latest revision, as a subscriber would see it (no personal link)."""
    page = get_object_or_404(NewsletterIssuePage, pk=page_id)
    if not page.permissions_for_user(request.user).can_edit() and not _can_view(request.user):
        raise PermissionDenied
    return HttpResponse(preview_html(page.get_latest_revision_as_object()))
