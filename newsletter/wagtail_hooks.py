"""The newsletter in the admin (subscribers, send page with figures) and in the core (footer, demo, personal data)."""

from django.urls import path, reverse
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import HeaderButton
from wagtail.log_actions import LogFormatter
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from hub.registry import FooterPart
from newsletter import admin_views, demo
from newsletter.forms import SubscriptionForm
from newsletter.models import NewsletterIssuePage, Subscriber
from newsletter.subscriptions import erase, personal_data
from newsletter.views import FOOTER_PREFIX, index_for_language


class SubscriberViewSet(SnippetViewSet):
    model = Subscriber
    icon = "mail"
    menu_label = _("Abonné·es à la lettre")
    menu_order = 310
    add_to_admin_menu = True
    list_display = ["email", "status", "language", "confirmed_at", "created_at"]
    list_filter = ["status", "language", "consent_source"]
    search_fields = ["email"]
    search_backend_name = None
    list_export = ["email", "status", "language", "consent_at", "consent_source", "confirmed_at", "unsubscribed_at"]
    export_filename = "abonnes-lettre"
    copy_view_enabled = False


register_snippet(SubscriberViewSet)


@hooks.register("register_admin_urls")
def admin_urls():
    return [
        path("lettre/", admin_views.overview, name="newsletter_overview"),
        path("lettre/numero/<int:page_id>/", admin_views.issue_dashboard, name="newsletter_issue"),
        path("lettre/numero/<int:page_id>/courriel/", admin_views.issue_email_preview, name="newsletter_email"),
        path("lettre/numero/<int:page_id>/progression/", admin_views.issue_progress, name="newsletter_progress"),
    ]


class SendMenuItem(MenuItem):
    def is_shown(self, request):
        user = request.user
        return user.has_perm("newsletter.send_newsletter") or user.has_perm("newsletter.view_delivery")


@hooks.register("register_admin_menu_item")
def send_menu_item():
    return SendMenuItem(_("Envois de la lettre"), reverse("newsletter_overview"), icon_name="mail", order=311)


@hooks.register("register_page_header_buttons")
def issue_send_button(page, user, view_name, next_url=None):
    if isinstance(page.specific_deferred, NewsletterIssuePage) and (
        user.has_perm("newsletter.send_newsletter") or user.has_perm("newsletter.view_delivery")
    ):
        yield HeaderButton(
            _("Test, envoi et chiffres"), reverse("newsletter_issue", args=[page.pk]), icon_name="mail", priority=5
        )


class SendLogFormatter(LogFormatter):
    """« Envoyé à 1 200 abonné·es (Petites villes de demain, Commerce) » in the issue's history."""

    label = _("Envoi de la lettre")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        count = data.get("recipients", 0)
        message = ngettext("Envoyé à %(count)s abonné·e", "Envoyé à %(count)s abonné·es", count) % {"count": count}
        segment = [*data.get("programmes", []), *data.get("thematics", [])]
        return f"{message} ({', '.join(segment)})" if segment else message


class TestSendLogFormatter(LogFormatter):
    label = _("Test de la lettre")

    def format_message(self, log_entry):
        return gettext("Test envoyé à %(email)s") % {"email": (log_entry.data or {}).get("email", "")}


@hooks.register("register_log_actions")
def register_send_log_actions(actions):
    actions.register_action("newsletter.send")(SendLogFormatter)
    actions.register_action("newsletter.test_send")(TestSendLogFormatter)


@hooks.register("hub_footer_parts")
def footer_subscription_form(request=None):
    index = index_for_language(get_language())
    if index is None:
        return None
    return FooterPart(
        template="components/newsletter_footer_form.html",
        context={"newsletter_form": SubscriptionForm(prefix=FOOTER_PREFIX), "newsletter_index_url": index.url},
        order=10,
    )


@hooks.register("hub_load_demo", order=30)
def load_demo(home, sizes, seed, stdout):
    demo.load_demo(home, sizes, seed, stdout)


@hooks.register("network_personal_data")
def newsletter_personal_data(user):
    return personal_data(user.email) if user.email else {}


@hooks.register("network_erase_personal_data")
def newsletter_erase_personal_data(user):
    if user.email:
        erase(user.email)
