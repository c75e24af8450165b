"""Territory pages (issue 12, points 3, 4 and 6): a page per commune, EPCI/EPT, département and région, their
index and search, the apps' sections through the `hub_territory_sections` hook, and a commune's open data."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Locale

from events.factories import EventIndexPageFactory, EventPageFactory
from hub.models import EPCI, Commune, Department, Programme, Region
from network.demo import build_index
from network.factories import MemberFactory
from network.models import Visibility
from resources.factories import ProjectIndexPageFactory, ProjectPageFactory

pytestmark = pytest.mark.django_db

ABBEVILLE_FR = "/fr/territoires/communes/80001-abbeville/"
ABBEVILLE_EN = "/en/territories/communes/80001-abbeville/"
EPCI_FR = "/fr/territoires/intercommunalites/200070993-ca-de-la-baie-de-somme/"
EPCI_EN = "/en/territories/intercommunalities/200070993-ca-de-la-baie-de-somme/"
SOMME_FR = "/fr/territoires/departements/80-somme/"
SOMME_EN = "/en/territories/departments/80-somme/"
HDF_FR = "/fr/territoires/regions/32-hauts-de-france/"
HDF_EN = "/en/territories/regions/32-hauts-de-france/"


@pytest.fixture
def places(abbeville):
    """Abbeville and a neighbour in one CA of the Somme, a quiet commune elsewhere, and two Saint-Denis."""
    somme = abbeville.department
    hdf = somme.region
    baie = EPCI.objects.create(siren="200070993", name="CA de la Baie de Somme", kind=EPCI.Kind.CA, population=49000)
    abbeville.epci = baie
    abbeville.postcodes = "80100,80101"
    abbeville.save()
    neighbour = Commune.objects.create(
        insee_code="80600", name="Œuvillers", slug="oeuvillers-80600", population=300, department=somme, epci=baie
    )
    quiet = Commune.objects.create(
        insee_code="80002", name="Acheux-en-Amiénois", slug="acheux-en-amienois-80002", population=600, department=somme
    )
    idf = Region.objects.create(code="11", name="Île-de-France", slug="ile-de-france")
    ssd = Department.objects.create(code="93", name="Seine-Saint-Denis", slug="seine-saint-denis", region=idf)
    reunion_region = Region.objects.create(code="04", name="La Réunion", slug="la-reunion")
    reunion = Department.objects.create(code="974", name="La Réunion", slug="la-reunion", region=reunion_region)
    saint_denis = Commune.objects.create(
        insee_code="93066", name="Saint-Denis", slug="saint-denis-93066", population=150000, department=ssd
    )
    saint_denis_reunion = Commune.objects.create(
        insee_code="97411", name="Saint-Denis", slug="saint-denis-97411", population=155000, department=reunion
    )
    return {
        "abbeville": abbeville,
        "neighbour": neighbour,
        "quiet": quiet,
        "baie": baie,
        "somme": somme,
        "hdf": hdf,
        "saint_denis": saint_denis,
        "saint_denis_reunion": saint_denis_reunion,
    }


@pytest.fixture
def projetotheque(core_site):
    return ProjectIndexPageFactory(parent=core_site)


@pytest.fixture
def agenda(core_site):
    return EventIndexPageFactory(parent=core_site)


@pytest.fixture
def directory(core_site):
    return build_index(core_site)


@pytest.fixture
def content(places, projetotheque, agenda, directory):
    """Projects, events and members in Abbeville (one project in its neighbour), programmes on Abbeville."""
    fr = Locale.objects.get(language_code="fr")
    acv = Programme.objects.get(slug="acv", locale=fr)
    places["abbeville"].programmes.add(acv)
    projects = [
        ProjectPageFactory(
            parent=projetotheque, title="Halles d'Abbeville", slug="halles", commune=places["abbeville"]
        ),
        ProjectPageFactory(parent=projetotheque, title="Quais d'Abbeville", slug="quais", commune=places["abbeville"]),
    ]
    nearby = ProjectPageFactory(
        parent=projetotheque, title="Place d'Œuvillers", slug="place-oeuvillers", commune=places["neighbour"]
    )
    draft = ProjectPageFactory(
        parent=projetotheque, title="Brouillon secret", slug="brouillon", commune=places["abbeville"], live=False
    )
    soon = EventPageFactory(
        parent=agenda, title="Atelier commerce à Abbeville", slug="atelier", commune=places["abbeville"]
    )
    before = timezone.now() - datetime.timedelta(days=60)
    past = EventPageFactory(
        parent=agenda,
        title="Visite des halles",
        slug="visite",
        commune=places["abbeville"],
        start=before,
        end=before + datetime.timedelta(hours=2),
    )
    people = {
        "public": MemberFactory(first_name="Paula", last_name="Publique", commune=places["abbeville"]),
        "members": MemberFactory(
            first_name="Marc", last_name="Réservé", visibility=Visibility.MEMBERS, commune=places["abbeville"]
        ),
        "hidden": MemberFactory(
            first_name="Hugo", last_name="Masqué", visibility=Visibility.HIDDEN, commune=places["abbeville"]
        ),
    }
    return {"projects": projects, "nearby": nearby, "draft": draft, "soon": soon, "past": past, "people": people}


def html(response):
    return response.content.decode()


@pytest.mark.parametrize(
    "path, name",
    [
        (ABBEVILLE_FR, "Abbeville"),
        (ABBEVILLE_EN, "Abbeville"),
        (EPCI_FR, "CA de la Baie de Somme"),
        (EPCI_EN, "CA de la Baie de Somme"),
        (SOMME_FR, "Somme"),
        (SOMME_EN, "Somme"),
        (HDF_FR, "Hauts-de-France"),
        (HDF_EN, "Hauts-de-France"),
    ],
)
def test_every_kind_of_page_in_both_languages(client, content, path, name):
    response = client.get(path)
    assert response.status_code == 200
    assert f"<h1>{name}</h1>" in html(response)
    assert f'lang="{path[1:3]}"' in html(response)


def test_commune_page_shows_identity_parents_programmes_and_sections(client, content):
    page = html(client.get(ABBEVILLE_FR))
    assert re.search(r"22\W?595 habitants", page)
    for link in (EPCI_FR, SOMME_FR, HDF_FR):
        assert f'href="{link}"' in page
    assert "80100, 80101" in page
    assert "ACV" in page
    assert "Halles d&#x27;Abbeville" in page and "Quais d&#x27;Abbeville" in page
    assert "Brouillon secret" not in page
    assert "Atelier commerce à Abbeville" in page and "Visite des halles" in page
    # The neighbour's project, in the section about the rest of the EPCI.
    assert "Place d&#x27;Œuvillers" in page
    assert 'name="robots"' not in page


def test_the_english_page_speaks_english_and_links_english_pages(client, content):
    page = html(client.get(ABBEVILLE_EN))
    assert "Projects" in page
    for link in (EPCI_EN, SOMME_EN, HDF_EN):
        assert f'href="{link}"' in page


def test_breadcrumb_and_language_switcher(client, content):
    page = html(client.get(ABBEVILLE_FR))
    crumbs = re.search(r'<ol class="fr-breadcrumb__list">(.*?)</ol>', page, re.S).group(1)
    for link in ("/fr/territoires/", HDF_FR, SOMME_FR, EPCI_FR):
        assert f'href="{link}"' in crumbs
    assert 'aria-current="page">Abbeville<' in crumbs
    assert f'href="{ABBEVILLE_EN}"' in page  # the switcher's English link
    assert f'href="{ABBEVILLE_FR}"' in html(client.get(ABBEVILLE_EN))


def test_children_of_each_kind(client, content, places):
    assert 'href="/fr/territoires/communes/80600-oeuvillers/"' in html(client.get(EPCI_FR))
    assert f'href="{EPCI_FR}"' in html(client.get(SOMME_FR))
    assert f'href="{SOMME_FR}"' in html(client.get(HDF_FR))


@pytest.mark.parametrize(
    "path, target",
    [
        ("/fr/territoires/communes/80001-abeville/", ABBEVILLE_FR),
        ("/fr/territoires/communes/80001/", ABBEVILLE_FR),
        ("/en/territories/communes/80001-x/", ABBEVILLE_EN),
        ("/fr/territoires/intercommunalites/200070993-baie/", EPCI_FR),
        ("/fr/territoires/departements/80-sommes/", SOMME_FR),
        ("/fr/territoires/regions/32-hdf/", HDF_FR),
        ("/fr/territoires/communes/80001-abeville/donnees.json", ABBEVILLE_FR + "donnees.json"),
    ],
)
def test_a_wrong_slug_redirects_permanently(client, places, path, target):
    response = client.get(path)
    assert response.status_code == 301
    assert response["Location"] == target


@pytest.mark.parametrize(
    "path",
    [
        "/fr/territoires/communes/99999-nulle-part/",
        "/fr/territoires/intercommunalites/123456789-rien/",
        "/fr/territoires/departements/00-rien/",
        "/fr/territoires/regions/99-rien/",
        "/en/territories/communes/99999-nowhere/",
        "/fr/territoires/communes/99999-nulle-part/donnees.json",
        "/fr/territoires/communes/abcde-x/",
    ],
)
def test_an_unknown_code_is_a_404(client, places, path):
    assert client.get(path).status_code == 404


def test_odd_input_never_fails(client, content):
    for path in (
        ABBEVILLE_FR + "?page=99999999999999999999",
        EPCI_FR + "?page=-1",
        EPCI_FR + "?page=abc",
        "/fr/territoires/communes/80001-%00%27%22/",
        "/fr/territoires/communes/80001-%C3%A9t%C3%A9/",
        "/fr/territoires/?q=%00",
        "/fr/territoires/?q=" + "x" * 5000,
        "/fr/territoires/?q=%27%22%25_*&partiel=1",
        "/fr/territoires/?q=2a",
        "/fr/recherche/?q=%00abbe",
    ):
        assert client.get(path).status_code in (200, 301), path


# The directory's visibility rules ------------------------------------------------------------------------


def test_a_visitor_sees_public_members_only(client, content):
    for path in (ABBEVILLE_FR, EPCI_FR, SOMME_FR, HDF_FR):
        page = html(client.get(path))
        assert "Paula Publique" in page, path
        assert "Marc Réservé" not in page and "Hugo Masqué" not in page, path


def test_a_member_also_sees_members_only_profiles_never_hidden_ones(client, content):
    client.force_login(content["people"]["public"].user)
    for path in (ABBEVILLE_FR, SOMME_FR):
        page = html(client.get(path))
        assert "Paula Publique" in page and "Marc Réservé" in page, path
        assert "Hugo Masqué" not in page, path


def test_a_cached_page_for_visitors_does_not_leak_to_members_and_back(client, content):
    assert "Marc Réservé" not in html(client.get(ABBEVILLE_FR))
    assert "Marc Réservé" not in html(client.get(ABBEVILLE_FR))  # from the cache
    client.force_login(content["people"]["public"].user)
    assert "Marc Réservé" in html(client.get(ABBEVILLE_FR))
    client.logout()
    assert "Marc Réservé" not in html(client.get(ABBEVILLE_FR))


def test_hiding_a_profile_removes_it_from_the_cached_page(client, content):
    assert "Paula Publique" in html(client.get(ABBEVILLE_FR))
    paula = content["people"]["public"]
    paula.visibility = Visibility.HIDDEN
    paula.save()
    assert "Paula Publique" not in html(client.get(ABBEVILLE_FR))


def test_a_new_project_shows_on_the_cached_page(client, content, projetotheque, places):
    assert "Nouvelle halle" not in html(client.get(ABBEVILLE_FR))
    ProjectPageFactory(parent=projetotheque, title="Nouvelle halle", slug="nouvelle", commune=places["abbeville"])
    assert "Nouvelle halle" in html(client.get(ABBEVILLE_FR))


# Links to the listings -----------------------------------------------------------------------------------


def test_sections_link_to_the_listings_filtered_where_a_facet_exists(client, content):
    somme = html(client.get(SOMME_FR))
    assert 'href="/fr/projetotheque/?departement=80"' in somme
    assert 'href="/fr/annuaire/?departement=80"' in somme
    hdf = html(client.get(HDF_FR))
    assert 'href="/fr/projetotheque/?region=32"' in hdf
    assert 'href="/fr/evenements/?region=32"' in hdf and 'href="/fr/evenements/?quand=passes&amp;region=32"' in hdf
    assert 'href="/fr/annuaire/?region=32"' in hdf
    assert "?region=32" in html(client.get(HDF_EN))


def test_renaming_a_territory_shows_on_the_cached_pages(client, content, places):
    assert "CA de la Baie de Somme" in html(client.get(ABBEVILLE_FR))
    places["baie"].name = "CA Baie de Somme Trois Vallées"
    places["baie"].save()
    assert "CA Baie de Somme Trois Vallées" in html(client.get(ABBEVILLE_FR))


# Open data -----------------------------------------------------------------------------------------------


def test_the_commune_data_as_json(client, content):
    response = client.get(ABBEVILLE_FR + "donnees.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    assert data["licence"]["name"] == "Licence Ouverte 2.0"
    assert data["insee_code"] == "80001" and data["name"] == "Abbeville" and data["population"] == 22595
    assert data["postcodes"] == ["80100", "80101"]
    assert data["epci"]["code"] == "200070993"
    assert data["department"]["code"] == "80" and data["region"]["code"] == "32"
    assert data["url"] == "http://testserver" + ABBEVILLE_FR
    assert [p["slug"] for p in data["programmes"]] == ["acv"]
    # What an anonymous visitor sees: the draft, the members-only and the hidden profiles are not counted.
    assert data["counts"] == {"projects": 2, "events_upcoming": 1, "events_past": 1, "members": 1}


def test_the_json_counts_what_a_visitor_sees_even_for_a_member(client, content):
    client.force_login(content["people"]["public"].user)
    data = json.loads(client.get(ABBEVILLE_FR + "donnees.json").content)
    assert data["counts"]["members"] == 1


def test_the_json_in_english_and_linked_from_the_page(client, content):
    assert client.get(ABBEVILLE_EN + "data.json").status_code == 200
    assert f'href="{ABBEVILLE_FR}donnees.json"' in html(client.get(ABBEVILLE_FR))
    assert f'href="{ABBEVILLE_EN}data.json"' in html(client.get(ABBEVILLE_EN))


# The index and its search --------------------------------------------------------------------------------


def results(client, query, language="fr"):
    prefix = "/fr/territoires/" if language == "fr" else "/en/territories/"
    response = client.get(prefix, {"q": query})
    assert response.status_code == 200
    return html(response)


def test_the_index_lists_regions_to_browse(client, places):
    for path in ("/fr/territoires/", "/en/territories/"):
        page = html(client.get(path))
        assert "<h1>" in page and f'href="{path}regions/32-hauts-de-france/"' in page
    assert 'href="/fr/territoires/regions/32-hauts-de-france/"' in html(client.get("/fr/territoires/"))


def test_find_by_name_without_accents_or_case(client, places):
    page = results(client, "oeuvil")
    assert 'href="/fr/territoires/communes/80600-oeuvillers/"' in page
    assert "Œuvillers" in page
    assert 'href="/fr/territoires/communes/80001-abbeville/"' in results(client, "ABBE")


def test_find_by_insee_code_siren_postcode_and_department_code(client, places):
    assert 'href="/fr/territoires/communes/80001-abbeville/"' in results(client, "80001")
    assert 'href="/fr/territoires/communes/80001-abbeville/"' in results(client, "80100")  # a postcode
    assert f'href="{EPCI_FR}"' in results(client, "200070993")
    assert f'href="{SOMME_FR}"' in results(client, "80")
    assert f'href="{HDF_FR}"' in results(client, "32")
    assert f'href="{EPCI_FR}"' in results(client, "baie de somme")


def test_homonyms_are_told_apart_by_their_department(client, places):
    page = results(client, "saint-denis")
    assert "Seine-Saint-Denis (93)" in page and "La Réunion (974)" in page
    assert page.count('href="/fr/territoires/communes/') == 2


def test_the_search_fragment_for_the_script(client, places):
    response = client.get("/fr/territoires/", {"q": "abbe", "partiel": "1"})
    fragment = html(response)
    assert "data-territory-summary" in fragment and "Abbeville" in fragment
    assert "<html" not in fragment


def test_the_index_works_without_javascript_and_loads_its_script_with_the_nonce(client, places):
    response = client.get("/fr/territoires/")
    page = html(response)
    assert 'method="get" action="/fr/territoires/"' in page and 'name="q"' in page
    script = re.search(r'<script src="/static/hub/js/territory-search.js" nonce="([^"]+)"', page)
    assert script and f"'nonce-{script.group(1)}'" in response["Content-Security-Policy"]
    assert "<script>" not in page  # no inline script


def test_no_result(client, places):
    page = results(client, "zzzzzz")
    assert "0 territoire" in page and "Aucun territoire ne correspond" in page


def test_the_header_search_has_a_territories_group(client, core_site, places):
    page = html(client.get("/fr/recherche/", {"q": "abbeville"}))
    group = re.search(r'id="groupe-territoires".*?</section>', page, re.S).group(0)
    assert 'href="/fr/territoires/communes/80001-abbeville/"' in group
    page = html(client.get("/en/search/", {"q": "saint denis"}))
    assert 'href="/en/territories/communes/93066-saint-denis/"' in page
    assert 'href="/en/territories/communes/97411-saint-denis/"' in page


# Indexing ------------------------------------------------------------------------------------------------


def test_pages_without_content_are_noindex_and_out_of_the_sitemap(client, content, places):
    quiet = html(client.get("/fr/territoires/communes/80002-acheux-en-amienois/"))
    assert '<meta name="robots" content="noindex">' in quiet
    assert '<meta name="robots"' not in html(client.get(ABBEVILLE_FR))
    sitemap = html(client.get("/sitemap.xml"))
    for path in (ABBEVILLE_FR, ABBEVILLE_EN, EPCI_FR, EPCI_EN, SOMME_FR, SOMME_EN, HDF_FR, HDF_EN):
        assert f"<loc>http://testserver{path}</loc>" in sitemap, path
    assert "80002" not in sitemap
    assert "93066" not in sitemap
    # Œuvillers has its project: in the sitemap; neighbours' projects alone do not make content.
    assert "/fr/territoires/communes/80600-oeuvillers/" in sitemap


def test_a_commune_with_only_its_neighbours_projects_is_noindex(client, content, places):
    abbeville_projects = content["projects"]
    for project in abbeville_projects:
        project.unpublish()
    for page in (content["soon"], content["past"]):
        page.unpublish()
    paula = content["people"]["public"]
    paula.commune = places["quiet"]
    paula.save()
    page = html(client.get(ABBEVILLE_FR))
    assert "Place d&#x27;Œuvillers" in page  # the EPCI's other project is still shown
    assert '<meta name="robots" content="noindex">' in page


# Query counts --------------------------------------------------------------------------------------------


def queries_for(client, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", [ABBEVILLE_FR, ABBEVILLE_EN, EPCI_FR, SOMME_FR, HDF_FR])
def test_the_query_count_does_not_grow_with_the_projects(client, settings, content, projetotheque, places, path):
    settings.HUB_RESPONSE_CACHE_TIMEOUT = 0  # every request renders
    for n in range(3):
        ProjectPageFactory(parent=projetotheque, slug=f"a-{n}", commune=places["abbeville"])
    queries_for(client, path)  # the first request also reads what the process keeps (site, chrome)
    few = queries_for(client, path)
    for n in range(27):
        ProjectPageFactory(parent=projetotheque, slug=f"b-{n}", commune=places[("abbeville", "neighbour")[n % 2]])
        MemberFactory(commune=places["abbeville"])
    for n in range(8):
        EventPageFactory(parent=content["soon"].get_parent(), slug=f"e-{n}", commune=places["abbeville"])
    many = queries_for(client, path)
    assert many == few, (few, many)


# Links to the territory pages ----------------------------------------------------------------------------


def test_a_project_sheet_links_its_commune_department_and_region(client, content):
    page = html(client.get("/fr/projetotheque/halles/"))
    for link in (ABBEVILLE_FR, SOMME_FR, HDF_FR):
        assert f'href="{link}"' in page


def test_an_event_links_its_commune(client, content):
    assert f'href="{ABBEVILLE_FR}"' in html(client.get("/fr/evenements/atelier/"))


def test_a_member_profile_links_its_commune_and_department(client, content):
    page = html(client.get("/fr/annuaire/paula-publique/"))
    assert f'href="{ABBEVILLE_FR}"' in page and f'href="{SOMME_FR}"' in page


@pytest.mark.parametrize(
    "listing, query, bare, target",
    [
        ("/fr/projetotheque/", "departement=80", "/fr/territoires/departements/80/", SOMME_FR),
        ("/fr/projetotheque/", "region=32", "/fr/territoires/regions/32/", HDF_FR),
        ("/fr/annuaire/", "departement=80", "/fr/territoires/departements/80/", SOMME_FR),
        ("/fr/evenements/", "region=32", "/fr/territoires/regions/32/", HDF_FR),
    ],
)
def test_a_selected_region_or_department_links_its_page(client, content, listing, query, bare, target):
    assert f'href="{bare}"' in html(client.get(f"{listing}?{query}"))
    response = client.get(bare)
    assert response.status_code == 301 and response["Location"] == target
