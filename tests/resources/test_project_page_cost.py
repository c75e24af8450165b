"""A project page's cost does not grow with its parts or with the Projétothèque (issue 11, point 3).

The same page is requested with one gallery image, document, funding line, partner, thematic and tag and
then with four of each and twelve more projects sharing its terms: the number of queries stays the same,
and the page still shows every part (and its related projects).
"""

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape
from wagtail.models import Locale
from wagtail_factories import DocumentFactory, ImageFactory

from hub.models import Thematic
from resources.factories import ProjectIndexPageFactory, ProjectPageFactory
from resources.models import (
    ProjectDocument,
    ProjectFundingLine,
    ProjectGalleryImage,
    ProjectPage,
    ProjectPartner,
    ProjectRelatedLink,
)

THEMATICS = ("commerce", "habitat", "mobilites", "espaces-publics")


def add_parts(page, start, stop):
    for n in range(start, stop):
        ProjectGalleryImage.objects.create(page=page, locale=page.locale, image=ImageFactory(), alt=f"Vue {n}")
        ProjectDocument.objects.create(page=page, locale=page.locale, document=DocumentFactory(), title=f"Bilan {n}")
        ProjectFundingLine.objects.create(page=page, locale=page.locale, funder=f"Financeur {n}", amount=1000 + n)
        ProjectPartner.objects.create(page=page, locale=page.locale, name=f"Partenaire {n}")


def measure(client, page):
    client.get(page.url)  # renditions are created by the first request, as on any site
    cache.clear()  # the related projects are scored again: the uncached path
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page.url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


def test_project_page_queries_do_not_grow_with_its_parts_or_the_projects(client, core_site, abbeville):
    fr = Locale.objects.get(language_code="fr")
    thematics = [Thematic.objects.get(slug=slug, locale=fr) for slug in THEMATICS]
    index = ProjectIndexPageFactory(parent=core_site)
    page = ProjectPageFactory(
        parent=index, commune=abbeville, title="Halles", thematics=thematics[:1], tags=["commerce"]
    )
    ProjectPageFactory(parent=index, commune=abbeville, title="Voisin 0", thematics=thematics[:1], tags=["commerce"])
    add_parts(page, 0, 1)

    small, html = measure(client, page)
    assert html.count('alt="Vue 0"') == 1  # the only image is the lead image: no gallery
    assert "Bilan 0" in html and "Financeur 0" in html and "Partenaire 0" in html and "Voisin 0" in html

    page.thematics.set(thematics)
    page.tags.set(["commerce", "centre-ville", "halles", "marché"])
    page.save()
    add_parts(page, 1, 4)
    for n in range(1, 13):
        ProjectPageFactory(
            parent=index, commune=abbeville, title=f"Voisin {n}", thematics=thematics, tags=["commerce", "halles"]
        )

    large, html = measure(client, page)
    assert all(f'alt="Vue {n}"' in html for n in range(1, 4))
    assert all(f"Bilan {n}" in html and f"Partenaire {n}" in html for n in range(4))
    assert all(escape(thematic.name) in html for thematic in thematics) and "marché" in html
    assert html.count('class="fr-card__title"') == 3  # three related projects, the best scored
    assert large == small


def test_the_editors_related_projects_show_in_order_and_follow_their_publication(client, core_site, abbeville):
    """Chosen links win over the score, in the editor's order; an unpublished one drops at once (the ids are
    kept between views); a preview with unsaved links shows them without changing what visitors see."""
    index = ProjectIndexPageFactory(parent=core_site)
    page = ProjectPageFactory(parent=index, commune=abbeville, title="Halles", tags=["commerce"])
    ProjectPageFactory(parent=index, commune=abbeville, title="Voisin par le score", tags=["commerce"])
    first, second, third = (
        ProjectPageFactory(parent=index, commune=abbeville, title=t) for t in ("Un", "Deux", "Trois")
    )

    def related_titles():
        html = client.get(page.url).content.decode()
        return [title for title in ("Voisin par le score", "Un", "Deux", "Trois") if f">{title}<" in html]

    assert related_titles() == ["Voisin par le score"]
    page.related_links = [ProjectRelatedLink(target=second), ProjectRelatedLink(target=first)]
    page.save_revision().publish()
    page = ProjectPage.objects.get(pk=page.pk)
    assert [p.pk for p in page.related_projects()] == [second.pk, first.pk]
    assert set(related_titles()) == {"Deux", "Un"}

    second.unpublish()
    assert [p.pk for p in ProjectPage.objects.get(pk=page.pk).related_projects()] == [first.pk]
    assert related_titles() == ["Un"]  # the section kept between views follows too

    preview = ProjectPage.objects.get(pk=page.pk)
    preview.related_links = [ProjectRelatedLink(target=third)]
    assert [p.pk for p in preview.related_projects()] == [third.pk]
    assert [p.pk for p in ProjectPage.objects.get(pk=page.pk).related_projects()] == [first.pk]
