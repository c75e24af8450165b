from django.conf import settings
from django.contrib.sitemaps import Sitemap as DjangoSitemap
from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page

from hub.territory_pages import territories_with_content


class AllLanguagesSitemap(Sitemap):
    """Wagtail's sitemap covers the site root's tree only; this one adds every translation of it."""

    def items(self):
        root = self.get_wagtail_site().root_page
        queryset = Page.objects.none()
        for translated_root in root.get_translations(inclusive=True):
            queryset |= Page.objects.descendant_of(translated_root, inclusive=True)
        return queryset.live().public().order_by("path").defer_streamfields().specific()


class TerritorySitemap(DjangoSitemap):
    """The territory pages that have content of their own (the others are `noindex`), in every language."""

    i18n = True
    languages = [code for code, _name in settings.LANGUAGES]

    def items(self):
        return territories_with_content()

    def location(self, territory):
        return territory.url()
