"""The shared shape of the site's section pages: Projétothèque, resource library, agenda, directory, archive.

Each is a single routable page under the home page with a lead paragraph (`intro`), whose items are
written in French: every language's listing reads the children of the French original (`source_index`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Locale, Page
from wagtail.search import index

from hub.admin_forms import HubPageForm


class OneTypeChildRouting:
    """Routing to a child of an index that allows one page type: the child is read as that type in one
    query, with the forward relations its page shows (`child_select_related`); Wagtail's `Page.route` reads
    a generic page, then reads it again as its type. Placed after RoutablePageMixin, whose sub-routes keep
    their precedence; anything else (the index itself, a page of another type left from older rules) goes
    to Wagtail's own routing."""

    child_select_related = ()

    def route(self, request, path_components):
        models = self.allowed_subpage_models()
        if path_components and len(models) == 1:
            [model] = models
            found = model.objects.child_of(self).select_related(*self.child_select_related)
            child = found.filter(slug=path_components[0]).first()
            if child is not None:
                child._cached_parent_obj = self
                return child.route(request, path_components[1:])
        return super().route(request, path_components)


class IndexPage(RoutablePageMixin, OneTypeChildRouting, Page):
    parent_page_types = ["hub.HomePage"]
    max_count_per_parent = 1
    base_form_class = HubPageForm

    intro = models.TextField(_("chapeau"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    api_fields = [APIField("intro")]

    class Meta:
        abstract = True

    def source_index(self):
        """The French original of this index (itself when it is the original, or has none)."""
        default = Locale.get_default()
        if self.locale_id == default.pk:
            return self
        return self.get_translation_or_none(default) or self
