"""Subscribers with their consent proof, the issues (Wagtail pages) and one delivery row per recipient."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import path
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from hub.admin_forms import HubPageForm
from hub.i18n import localized_items
from hub.models.index import IndexPage
from newsletter.blocks import NewsletterBodyBlock

CONFIRMATION_VALIDITY = timedelta(days=7)


def new_token():
    """An unguessable, URL-safe personal token (256 bits)."""
    return secrets.token_urlsafe(32)


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", _("en attente de confirmation")
    ACTIVE = "active", _("abonné·e")
    UNSUBSCRIBED = "unsubscribed", _("désabonné·e")
    BOUNCED = "bounced", _("adresse en erreur")
    COMPLAINED = "complained", _("signalé comme indésirable")


class Subscriber(models.Model):
    """One address; its status and the proof of the consent it gave (who, when, where, which wording)."""

    email = models.EmailField(_("adresse électronique"), max_length=254)
    status = models.CharField(
        _("état"), max_length=20, choices=SubscriberStatus.choices, default=SubscriberStatus.PENDING, db_index=True
    )
    language = models.CharField(_("langue"), max_length=5, choices=settings.LANGUAGES, default="fr")
    programmes = models.ManyToManyField(
        "hub.Programme", blank=True, related_name="newsletter_subscribers", verbose_name=_("programmes suivis")
    )
    thematics = models.ManyToManyField(
        "hub.Thematic", blank=True, related_name="newsletter_subscribers", verbose_name=_("thématiques suivies")
    )
    # Personal links: the unsubscribe/preferences token lasts; the confirmation token works once and expires.
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    confirmation_token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    confirmation_sent_at = models.DateTimeField(_("lien de confirmation envoyé le"), null=True, blank=True)
    notice_sent_at = models.DateTimeField(_("avis « déjà abonné·e » envoyé le"), null=True, blank=True)
    # Consent proof.
    consent_at = models.DateTimeField(_("consentement donné le"), null=True, blank=True)
    consent_ip = models.GenericIPAddressField(_("adresse IP du consentement"), null=True, blank=True)
    consent_user_agent = models.CharField(_("navigateur du consentement"), max_length=400, blank=True)
    consent_source = models.CharField(_("formulaire d'origine"), max_length=40, blank=True)
    consent_wording = models.CharField(_("version du texte de consentement"), max_length=40, blank=True)
    confirmed_at = models.DateTimeField(_("confirmé le"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("désabonné le"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("en erreur depuis le"), null=True, blank=True)
    complained_at = models.DateTimeField(_("signalement le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "abonné·e")
        verbose_name_plural = _("abonné·es")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(Lower("email"), name="newsletter_subscriber_unique_email_ci")]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    @property
    def unsubscribe_url(self):
        from newsletter.rendering import unsubscribe_url  # noqa: PLC0415

        return unsubscribe_url(self.token)

    @property
    def confirmation_url(self):
        from newsletter.rendering import CONFIRM_PATH  # noqa: PLC0415

        return settings.SITE_BASE_URL + CONFIRM_PATH.format(token=self.confirmation_token)

    def confirmation_expired(self, now=None):
        sent = self.confirmation_sent_at
        return sent is None or (now or timezone.now()) > sent + CONFIRMATION_VALIDITY

    def interest_slugs(self):
        return {
            "programmes": sorted(self.programmes.values_list("slug", flat=True)),
            "thematics": sorted(self.thematics.values_list("slug", flat=True)),
        }


def normalise_email(value):
    return (value or "").strip().lower()


class NewsletterIndexPage(IndexPage):
    """The public archive of the issues, with the subscription form."""

    template = "pages/newsletter_index_page.html"
    subpage_types = ["newsletter.NewsletterIssuePage"]

    class Meta:
        verbose_name = _("archive de la lettre d'information")
        verbose_name_plural = _("archives de la lettre d'information")

    @path("")
    def archive(self, request):
        from newsletter import views  # noqa: PLC0415

        return views.archive_and_subscribe(request, self)

    def issues(self):
        """The sent issues, newest first, in this archive's language: in English, each issue's live English
        translation when there is one, else the French original (marked by `mark_languages`)."""
        source = self.source_index()
        sent = (
            NewsletterIssuePage.objects.child_of(source)
            .live()
            .public()
            .filter(pk__in=IssueSend.objects.values("issue_id"))
        )
        if source.pk != self.pk:
            sent = localized_items(sent, self.locale.language_code)
        return sent.select_related("locale").order_by("-issue_date", "-first_published_at")


class NewsletterIssuePage(Page):
    """One issue: read on the web archive, sent by email (MJML rendered once, personalised per recipient)."""

    template = "pages/newsletter_issue_page.html"
    base_form_class = HubPageForm
    parent_page_types = ["newsletter.NewsletterIndexPage"]
    subpage_types = []

    issue_date = models.DateField(_("date du numéro"), default=timezone.localdate)
    subject = models.CharField(_("objet du courriel"), max_length=150)
    preheader = models.CharField(
        _("texte d'aperçu"),
        max_length=200,
        blank=True,
        help_text=_("Affiché après l'objet dans la plupart des messageries."),
    )
    body = StreamField(NewsletterBodyBlock(), blank=True, verbose_name=_("contenu"))

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("issue_date"), FieldPanel("subject"), FieldPanel("preheader")], heading=_("Courriel")
        ),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("subject"), index.SearchField("body")]
    api_fields = [APIField("issue_date"), APIField("subject"), APIField("preheader")]
    # wagtail-localize: the title, subject, preheader and every text of the blocks are translated; the date
    # follows the French issue. Chosen pages and images are synchronised too (see blocks.SynchronisedMixin).
    override_translatable_fields = [SynchronizedField("issue_date", overridable=False)]

    class Meta:
        verbose_name = _("numéro de la lettre d'information")
        verbose_name_plural = _("numéros de la lettre d'information")

    def get_context(self, request, *args, **kwargs):
        from newsletter.rendering import sections  # noqa: PLC0415

        context = super().get_context(request, *args, **kwargs)
        context["sections"] = sections(self)
        return context

    @property
    def preview_modes(self):
        return [("", _("Page web")), ("email", _("Courriel"))]

    def serve_preview(self, request, mode_name):
        if mode_name == "email":
            from newsletter.rendering import preview_html  # noqa: PLC0415

            return HttpResponse(preview_html(self))
        return super().serve_preview(request, mode_name)

    def is_sent(self):
        """Whether the send of this issue (of its source, for a translation) has started."""
        from newsletter.rendering import source_issue  # noqa: PLC0415

        return IssueSend.objects.filter(issue_id=source_issue(self).pk).exists()

    def serve(self, request, *args, **kwargs):
        # Published but not sent yet: only people who may edit it see it (the archive does not list it either),
        # so subscribers read it first in their mailbox.

        if not self.is_sent() and not self.permissions_for_user(request.user).can_edit():
            raise Http404
        return super().serve(request, *args, **kwargs)

    def get_sitemap_urls(self, request=None):
        return super().get_sitemap_urls(request) if self.is_sent() else []

    def previous_issue(self):
        """The issue before this one in the archive (what 'new since the last issue' counts from)."""
        return (
            NewsletterIssuePage.objects.live()
            .filter(locale_id=self.locale_id, issue_date__lt=self.issue_date)
            .exclude(pk=self.pk)
            .order_by("-issue_date")
            .first()
        )


class IssueRendering(models.Model):
    """An issue rendered once per language (MJML → HTML + text), reused for every recipient at send time.

    The personal unsubscribe URL is a placeholder replaced per recipient, so 20,000 sends do not
    re-render MJML.
    """

    issue = models.ForeignKey(NewsletterIssuePage, on_delete=models.CASCADE, related_name="renderings")
    language = models.CharField(max_length=5)
    revision_id = models.BigIntegerField(null=True)
    subject = models.CharField(max_length=200)
    html = models.TextField()
    text = models.TextField()
    web_url = models.URLField(max_length=500, blank=True)
    render_seconds = models.FloatField(default=0)
    rendered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issue", "language"], name="newsletter_rendering_unique")]

    def __str__(self):
        return f"{self.issue_id} ({self.language})"


class IssueSend(models.Model):
    """The send of an issue: who asked for it, when, to which segment."""

    issue = models.OneToOneField(NewsletterIssuePage, on_delete=models.CASCADE, related_name="send")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    started_at = models.DateTimeField(default=timezone.now)
    programmes = models.ManyToManyField("hub.Programme", blank=True, related_name="+")
    thematics = models.ManyToManyField("hub.Thematic", blank=True, related_name="+")

    class Meta:
        verbose_name = _("envoi")

    def __str__(self):
        return f"{self.issue_id} ({self.started_at:%Y-%m-%d})"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("en file")
    SENDING = "sending", _("en cours d'envoi")
    SENT = "sent", _("envoyé")
    FAILED = "failed", _("échec")


class Delivery(models.Model):
    """One issue to one subscriber: created before sending, claimed by a worker, sent at most once."""

    issue = models.ForeignKey(NewsletterIssuePage, on_delete=models.CASCADE, related_name="deliveries")
    # SET_NULL: erasing a person's data keeps the issue's figures.
    subscriber = models.ForeignKey(Subscriber, null=True, on_delete=models.SET_NULL, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    complained_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("envoi individuel")
        verbose_name_plural = _("envois individuels")
        constraints = [models.UniqueConstraint(fields=["issue", "subscriber"], name="newsletter_delivery_unique")]
        indexes = [models.Index(fields=["issue", "status"], name="newsletter_delivery_progress")]
        permissions = [("send_newsletter", _("Peut envoyer la lettre d'information"))]

    def __str__(self):
        return f"{self.issue_id} → {self.subscriber_id} ({self.status})"
