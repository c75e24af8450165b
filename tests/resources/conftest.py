import pytest
from wagtail.models import Locale

from hub.models import Commune, Department, Programme, Region, Thematic
from resources.factories import ProjectIndexPageFactory, ProjectPageFactory
from resources.models import ProjectStatus


@pytest.fixture
def territory(abbeville):
    somme = abbeville.department
    hdf = somme.region
    idf = Region.objects.create(code="11", name="Île-de-France", slug="ile-de-france")
    nord = Department.objects.create(code="59", name="Nord", slug="nord", region=hdf)
    seine_saint_denis = Department.objects.create(
        code="93", name="Seine-Saint-Denis", slug="seine-saint-denis", region=idf
    )
    return {
        "abbeville": abbeville,
        "doullens": Commune.objects.create(
            insee_code="80253", name="Doullens", slug="doullens-80253", population=6000, department=somme
        ),
        "cambrai": Commune.objects.create(
            insee_code="59122",
            name="Cambrai",
            slug="cambrai-59122",
            population=31000,
            department=nord,
            latitude=50.17,
            longitude=3.23,
        ),
        "saint_denis": Commune.objects.create(
            insee_code="93066",
            name="Saint-Denis",
            slug="saint-denis-93066",
            population=149077,
            department=seine_saint_denis,
        ),
        "hameau": Commune.objects.create(
            insee_code="80002", name="Acheux", slug="acheux-80002", population=600, department=somme
        ),
    }


@pytest.fixture
def projetotheque(core_site, territory):
    """A Projétothèque with six projects whose facet values are known."""
    fr = Locale.objects.get(language_code="fr")
    acv, pvd, cvv = (Programme.objects.get(slug=s, locale=fr) for s in ("acv", "pvd", "cvv"))
    commerce, habitat, mobilites = (
        Thematic.objects.get(slug=s, locale=fr) for s in ("commerce", "habitat", "mobilites")
    )
    index = ProjectIndexPageFactory(parent=core_site)
    t = territory
    projects = {
        "halles": ProjectPageFactory(
            parent=index,
            title="Réhabilitation des halles d'Abbeville",
            slug="halles-abbeville",
            commune=t["abbeville"],
            programmes=[acv],
            thematics=[commerce],
            tags=["marché"],
            status=ProjectStatus.DONE,
            start_year=2019,
            summary="Un marché couvert rouvert.",
        ),
        "facades": ProjectPageFactory(
            parent=index,
            title="Opération façades de Cambrai",
            slug="facades-cambrai",
            commune=t["cambrai"],
            programmes=[acv],
            thematics=[habitat],
            tags=["patrimoine"],
            start_year=2021,
        ),
        "manager": ProjectPageFactory(
            parent=index,
            title="Manager de commerce à Doullens",
            slug="manager-doullens",
            commune=t["doullens"],
            programmes=[pvd],
            thematics=[commerce],
            tags=["manager de centre-ville"],
            start_year=2021,
        ),
        "velo": ProjectPageFactory(
            parent=index,
            title="Pistes cyclables de Doullens",
            slug="velo-doullens",
            commune=t["doullens"],
            programmes=[pvd],
            thematics=[mobilites],
            start_year=2022,
            status=ProjectStatus.DONE,
        ),
        "boutique": ProjectPageFactory(
            parent=index,
            title="Boutique à l'essai à Saint-Denis",
            slug="boutique-saint-denis",
            commune=t["saint_denis"],
            programmes=[cvv],
            thematics=[commerce],
            tags=["marché"],
            start_year=2023,
            total_cost=55000,
        ),
        "epicerie": ProjectPageFactory(
            parent=index,
            title="Épicerie solidaire d'Acheux",
            slug="epicerie-acheux",
            commune=t["hameau"],
            programmes=[pvd],
            thematics=[commerce, habitat],
            start_year=2020,
            summary='=HYPERLINK("http://example.org") une épicerie',
        ),
    }
    draft = ProjectPageFactory(
        parent=index, title="Brouillon secret", slug="brouillon-secret", commune=t["abbeville"], live=False
    )
    return {"index": index, "projects": projects, "draft": draft}
