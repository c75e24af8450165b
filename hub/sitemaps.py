from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page


class AllLanguagesSitemap(Sitemap):
    """Wagtail's sitemap covers the site root's tree only; this one adds every translation of it."""

    def items(self):
        root = self.get_wagtail_site().root_page
        queryset = Page.objects.none()
        for translated_root in root.get_translations(inclusive=True):
            queryset |= Page.objects.descendant_of(translated_root, inclusive=True)
        return queryset.live().public().order_by("path").defer_streamfields().specific()
