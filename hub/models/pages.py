"""Site-core pages: the home page and a free-form standard page."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from hub import registry
from hub.admin_forms import HubPageForm
from hub.blocks import BaseStreamBlock
from hub.cache import cached_response


class HomePage(Page):
    template = "pages/home_page.html"
    max_count_per_parent = 1
    parent_page_types = ["wagtailcore.Page"]
    base_form_class = HubPageForm

    hero_title = models.CharField(_("titre d'accroche"), max_length=200, blank=True)
    hero_text = models.TextField(_("texte d'accroche"), blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("image d'accroche"),
    )
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("contenu"))

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("hero_title"), FieldPanel("hero_text"), FieldPanel("hero_image")],
            heading=_("Accroche"),
        ),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("hero_text"), index.SearchField("body")]
    api_fields = [APIField("hero_title"), APIField("hero_text"), APIField("body")]

    class Meta:
        verbose_name = _("page d'accueil")

    def serve(self, request, *args, **kwargs):
        """Cached for anonymous visitors (hub.cache): stale when a page below it, in any language, is
        published, or when the figures' data change (global generation)."""

        return cached_response(request, lambda: super(HomePage, self).serve(request, *args, **kwargs))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["key_figures"] = registry.key_figures(request=request, page=self)
        context["home_sections"] = registry.home_sections(request=request, page=self)
        return context


class StandardPage(Page):
    template = "pages/standard_page.html"
    parent_page_types = ["hub.HomePage", "hub.StandardPage"]
    subpage_types = ["hub.StandardPage"]
    base_form_class = HubPageForm

    intro = models.TextField(_("chapeau"), blank=True)
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("contenu"))

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    api_fields = [APIField("intro"), APIField("body")]

    class Meta:
        verbose_name = _("page standard")
        verbose_name_plural = _("pages standard")
