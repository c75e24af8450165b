"""Public views: the archive with its subscription form, confirmation, unsubscribe and preferences."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from hub.i18n import mark_languages
from hub.ratelimit import over_limit
from newsletter import subscriptions
from newsletter.forms import PreferencesForm, SubscriptionForm
from newsletter.models import NewsletterIndexPage, Subscriber, SubscriberStatus

FOOTER_PREFIX = "pied"
ISSUES_PER_PAGE = 12


def index_for_language(language=None):
    language = (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]
    pages = NewsletterIndexPage.objects.live()
    return pages.filter(locale__language_code=language).first() or pages.first()


def _unprefixed(data):
    """The footer form's fields without their prefix, so errors show in the page's (unprefixed) form."""

    if f"{FOOTER_PREFIX}-email" not in data:
        return data, "page"
    copy = QueryDict(mutable=True)
    for key in data:
        if key.startswith(f"{FOOTER_PREFIX}-"):
            copy.setlist(key.removeprefix(f"{FOOTER_PREFIX}-"), data.getlist(key))
    return copy, "footer"


def handle_subscription(request):
    """Validates a subscription POST; returns (form with errors or None on success, status)."""
    data, source = _unprefixed(request.POST)
    form = SubscriptionForm(data)
    if over_limit(request, "newsletter-subscribe", subscriptions.subscription_rate()):
        form.is_valid()
        form.add_error(None, _("Trop de demandes depuis votre connexion : réessayez dans quelques minutes."))
        return form, 429
    if not form.is_valid():
        return form, 200
    subscriptions.request_subscription(form, request, source)
    return None, 303


def _thanks_url(index):
    return f"{index.url}?inscription=merci#inscription"


def archive_and_subscribe(request, index):
    form, status = None, 200
    if request.method == "POST":
        form, status = handle_subscription(request)
        if form is None:
            return HttpResponseRedirect(_thanks_url(index), status=303)
    return render_archive(request, index, form, status)


def render_archive(request, index, form=None, status=200):
    paginator = Paginator(index.issues(), ISSUES_PER_PAGE)
    issues = paginator.get_page(request.GET.get("page"))
    mark_languages(issues.object_list, index.locale.language_code)
    context = {
        "page": index,
        "self": index,
        "issues": issues,
        "form": form or SubscriptionForm(),
        "subscribed": request.GET.get("inscription") == "merci",
    }
    response = render(request, index.template, context, status=status)
    response["Cache-Control"] = "private, no-cache"
    return response


@csrf_exempt  # footer forms live on cached pages; double opt-in, the honeypot and a rate limit guard it
@require_http_methods(["GET", "POST"])
def subscribe(request):
    """Outside the language prefix: answers in the language of the page the form was on."""
    language = _page_language(request.POST.get("langue_page")) or translation.get_language()
    index = index_for_language(language)
    if index is not None:
        language = index.locale.language_code
    with translation.override(language or settings.LANGUAGE_CODE):
        if request.method == "GET":
            return HttpResponseRedirect(f"{index.url}#inscription" if index else "/")
        form, status = handle_subscription(request)
        if form is None:
            if index is None:
                return render(request, "newsletter/message.html", {"title": _("Vérifiez votre messagerie")}, status=200)
            return HttpResponseRedirect(_thanks_url(index), status=303)
        if index is None:
            return render(request, "newsletter/subscribe.html", {"form": form}, status=status)
        return render_archive(request, index, form, status)


def _page_language(value):
    codes = {code for code, _name in settings.LANGUAGES}
    value = (value or "")[:5].split("-")[0]
    return value if value in codes else None


def _message(request, title, text, status, language=None, extra=None):
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        context = {"title": title, "text": text, **(extra or {})}
        return render(request, "newsletter/message.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET shows a button (so link scanners in mail systems don't confirm); POST activates, once."""
    subscriber = Subscriber.objects.filter(confirmation_token=token).first()
    language = subscriber.language if subscriber else None
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        if subscriber is None:
            return _message(
                request,
                _("Ce lien n'est plus valable"),
                _(
                    "Ce lien de confirmation a déjà servi ou n'existe pas. Si vous êtes déjà abonné·e, il n'y a rien à faire."
                ),
                410,  # not 404: LocaleMiddleware would redirect a 404 to a language-prefixed address
            )
        if subscriber.confirmation_expired():
            return _message(
                request,
                _("Ce lien a expiré"),
                _(
                    "Les liens de confirmation sont valables sept jours. Inscrivez-vous à nouveau pour en recevoir un autre."
                ),
                410,
                extra={"index": index_for_language(language)},
            )
        if request.method == "GET":
            return render(request, "newsletter/confirm.html", {"subscriber": subscriber, "token": token})
        subscriber, outcome = subscriptions.confirm(token)
        if outcome != "confirmed":
            return _message(request, _("Ce lien n'est plus valable"), "", 410)
        return _message(
            request,
            _("Inscription confirmée"),
            _("Merci ! Vous recevrez la prochaine lettre d'information à l'adresse %(email)s.")
            % {"email": subscriber.email},
            200,
            extra={"preferences_url": subscriber.unsubscribe_url},
        )


@csrf_exempt  # RFC 8058: mail providers POST "List-Unsubscribe=One-Click" with no cookie and no token
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    subscriber = Subscriber.objects.filter(token=token).first() if token else None
    language = subscriber.language if subscriber else translation.get_language()
    with translation.override(language or settings.LANGUAGE_CODE):
        if subscriber is None:
            return _message(
                request,
                _("Lien inconnu"),
                _("Ce lien de désabonnement ne correspond à aucune adresse. Il a peut-être été mal copié."),
                410,
            )
        form = PreferencesForm(
            initial={
                "language": subscriber.language,
                "programmes": list(subscriber.programmes.values_list("slug", flat=True)),
                "thematics": list(subscriber.thematics.values_list("slug", flat=True)),
            }
        )
        done = ""
        status = 200
        action = request.POST.get("action", "")
        if request.method == "POST" and (action in ("", "unsubscribe") or "List-Unsubscribe" in request.POST):
            subscriptions.unsubscribe(subscriber)
            done = "unsubscribed"
        elif request.method == "POST" and action == "preferences":
            form = PreferencesForm(request.POST)
            if form.is_valid():
                programmes, thematics = form.interest_terms()
                subscriber.language = form.cleaned_data["language"]
                subscriber.save(update_fields=["language", "updated_at"])
                subscriber.programmes.set(programmes)
                subscriber.thematics.set(thematics)
                done = "preferences"
            else:
                status = 200
        elif request.method == "POST" and action == "resubscribe":
            if subscriber.status == SubscriberStatus.UNSUBSCRIBED:
                # Holding the personal link proves access to the mailbox: no new confirmation needed.
                Subscriber.objects.filter(pk=subscriber.pk).update(status=SubscriberStatus.ACTIVE, unsubscribed_at=None)
                subscriber.refresh_from_db()
            done = "resubscribed"
        context = {"subscriber": subscriber, "form": form, "done": done, "token": token}
    # In the subscriber's language, the one they may just have chosen included.
    with translation.override(subscriber.language or settings.LANGUAGE_CODE):
        return render(request, "newsletter/unsubscribe.html", context, status=status)
