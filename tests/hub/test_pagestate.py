"""What pages ask of the page tree, kept in the cache (hub.pagestate): it follows every change at once."""

from django.utils import translation
from wagtail.models import Locale, PageViewRestriction

from hub.pagestate import index_page, locale_codes, locale_for, public
from resources.factories import ProjectIndexPageFactory, ProjectPageFactory
from resources.models import ProjectIndexPage, ProjectPage


def test_a_view_restriction_hides_its_subtree_at_once_and_its_removal_shows_it(core_site, abbeville):
    index = ProjectIndexPageFactory(parent=core_site)
    shown = ProjectPageFactory(parent=index, commune=abbeville)
    restricted = ProjectPageFactory(parent=index, commune=abbeville)
    child = ProjectPageFactory(parent=restricted, commune=abbeville)
    live = ProjectPage.objects.live()
    assert set(public(live)) == {shown, restricted, child} == set(live.public())

    restriction = PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.LOGIN)
    assert set(public(live)) == {shown} == set(live.public())
    restriction.delete()
    assert set(public(live)) == {shown, restricted, child}


def test_a_new_locale_is_known_at_once(core_site):
    assert locale_for("de") is None
    german = Locale.objects.create(language_code="de")
    assert locale_for("de-at").pk == german.pk
    assert locale_codes()[german.pk] == "de"


def test_an_index_page_follows_its_publication_and_its_translation(core_site):
    index = ProjectIndexPageFactory(parent=core_site)
    with translation.override("fr"):
        found, own, url = index_page(ProjectIndexPage)
        assert found == index and own == index and url == index.url
    english = index.copy_for_translation(Locale.objects.get(language_code="en"))
    english.save_revision().publish()
    with translation.override("en"):
        assert index_page(ProjectIndexPage)[1] == english and index_page(ProjectIndexPage)[2].startswith("/en/")
    index.unpublish()
    with translation.override("fr"):
        assert index_page(ProjectIndexPage) == (None, None, "")
