"""The guide to financing aids: eligibility for a commune, the listing and its facets, exports and feed, the
aid ↔ project links, both languages, and the territory pages' section."""

import csv
import datetime
import html
import io
import json
import re

import pytest
import time_machine
from django.utils import timezone
from wagtail.models import Locale

from hub.models import EPCI, Commune, Department, Programme, Region
from resources import eligibility
from resources.factories import AidIndexPageFactory, AidPageFactory, ProjectIndexPageFactory, ProjectPageFactory
from resources.models import AidPage, ProjectFundingLine

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture
def frozen():
    with time_machine.travel(timezone.make_aware(datetime.datetime(2026, 6, 15, 10, 0)), tick=False):
        yield


@pytest.fixture
def acv(core_site):
    return Programme.objects.get(slug="acv", locale__language_code="fr")


@pytest.fixture
def pvd(core_site):
    return Programme.objects.get(slug="pvd", locale__language_code="fr")


@pytest.fixture
def places(abbeville):
    """Abbeville (Somme, Hauts-de-France, 22,595 inhabitants) in its CA; a small town of the Somme; a town
    in another région."""
    epci = EPCI.objects.create(siren="200070993", name="CA de la Baie de Somme", kind=EPCI.Kind.CA)
    abbeville.epci = epci
    abbeville.save()
    small = Commune.objects.create(
        insee_code="80600", name="Œuvillers", slug="oeuvillers", population=900, department=abbeville.department
    )
    idf = Region.objects.create(code="11", name="Île-de-France", slug="ile-de-france")
    essonne = Department.objects.create(code="91", name="Essonne", slug="essonne", region=idf)
    elsewhere = Commune.objects.create(
        insee_code="91228", name="Évry", slug="evry", population=55000, department=essonne
    )
    return {"abbeville": abbeville, "epci": epci, "small": small, "idf": idf, "essonne": essonne, "evry": elsewhere}


@pytest.fixture
def guide(core_site):
    return AidIndexPageFactory(parent=core_site)


@pytest.fixture
def aids(guide, places, acv):
    somme = places["abbeville"].department
    return {
        "national": AidPageFactory(parent=guide, title="Aide nationale"),
        "region": AidPageFactory(parent=guide, title="Aide régionale", eligible_regions=[somme.region]),
        "elsewhere": AidPageFactory(parent=guide, title="Aide francilienne", eligible_regions=[places["idf"]]),
        "epci": AidPageFactory(parent=guide, title="Aide de l'agglomération", eligible_epcis=[places["epci"]]),
        "commune": AidPageFactory(parent=guide, title="Aide d'Évry", eligible_communes=[places["evry"]]),
        "acv": AidPageFactory(parent=guide, title="Aide ACV", required_programmes=[acv]),
        "small": AidPageFactory(parent=guide, title="Aide des petites villes", population_bands=["lt3500"]),
        "closed": AidPageFactory(
            parent=guide, title="Aide close hier", permanent=False, closes_on=TODAY - datetime.timedelta(days=1)
        ),
        "soon": AidPageFactory(
            parent=guide, title="Aide bientôt close", permanent=False, closes_on=TODAY + datetime.timedelta(days=10)
        ),
    }


def titles(queryset):
    return set(queryset.values_list("title", flat=True))


def listed(response):
    body = response.content.decode()
    return {html.unescape(t) for t in re.findall(r'<h3 class="fr-card__title"[^>]*><a href="[^"]+">([^<]+)</a>', body)}


# Eligibility -----------------------------------------------------------------------------------------------


def test_a_commune_gets_the_aids_whose_rules_it_meets(aids, places, acv):
    abbeville = places["abbeville"]
    found = titles(AidPage.objects.filter(eligibility.eligible_for(abbeville)))
    assert found == {
        "Aide nationale",
        "Aide régionale",
        "Aide de l'agglomération",
        "Aide close hier",
        "Aide bientôt close",
    }
    abbeville.programmes.add(acv)
    assert "Aide ACV" in titles(AidPage.objects.filter(eligibility.eligible_for(abbeville)))
    small = titles(AidPage.objects.filter(eligibility.eligible_for(places["small"])))
    assert {"Aide des petites villes", "Aide régionale"} <= small and "Aide de l'agglomération" not in small
    evry = titles(AidPage.objects.filter(eligibility.eligible_for(places["evry"])))
    assert {"Aide d'Évry", "Aide francilienne"} <= evry and "Aide régionale" not in evry


def test_the_beneficiary_type_is_a_rule(client, guide, places, frozen):
    AidPageFactory(parent=guide, title="Aide aux commerçants", beneficiaries=["commercant-artisan"])
    AidPageFactory(parent=guide, title="Aide aux communes", beneficiaries=["commune"])
    abbeville = places["abbeville"]
    assert titles(AidPage.objects.filter(eligibility.eligible_for(abbeville))) == {"Aide aux communes"}
    for_traders = AidPage.objects.filter(eligibility.eligible_for(abbeville, beneficiaries=["commercant-artisan"]))
    assert titles(for_traders) == {"Aide aux commerçants"}
    assert listed(client.get("/fr/aides/?commune=80001&beneficiaire=commercant-artisan")) == {"Aide aux commerçants"}


def test_a_postcode_or_a_name_is_resolved_and_homonyms_offered(client, guide, places, frozen):
    Commune.objects.filter(pk=places["abbeville"].pk).update(postcodes="80100")
    # 80100 is Abbeville's postcode and another commune's INSEE code: both are offered.
    Commune.objects.create(
        insee_code="80100", name="Bettencourt", slug="bettencourt", department=places["small"].department
    )
    body = html.unescape(client.get("/fr/aides/?lieu=80100").content.decode())
    assert "Plusieurs communes répondent" in body
    assert "?commune=80001" in body and "?commune=80100" in body


def test_a_municipal_district_is_judged_as_its_city(guide, places):
    paris = Commune.objects.create(
        insee_code="75056",
        name="Paris",
        slug="paris",
        population=2100000,
        department=places["essonne"],
        epci=places["epci"],
    )
    district = Commune.objects.create(
        insee_code="75101",
        name="Paris 1er Arrondissement",
        slug="paris-1er",
        population=15000,
        department=places["essonne"],
        kind=Commune.Kind.MUNICIPAL_DISTRICT,
    )
    AidPageFactory(parent=guide, title="Aide de la métropole", eligible_epcis=[places["epci"]])
    AidPageFactory(parent=guide, title="Aide des petites villes", population_bands=["3500-20000"])
    assert eligibility.judged_commune(district) == paris
    assert titles(AidPage.objects.filter(eligibility.eligible_for(district))) == {"Aide de la métropole"}


def test_each_rule_says_whether_the_commune_meets_it(aids, places, frozen):
    criteria = {c.key: c.met for c in eligibility.assess(aids["acv"], places["abbeville"])}
    assert criteria == {"beneficiaire": True, "programme": False, "dates": True}
    criteria = {c.key: c.met for c in eligibility.assess(aids["small"], places["abbeville"])}
    assert criteria == {"beneficiaire": True, "population": False, "dates": True}
    criteria = {c.key: c.met for c in eligibility.assess(aids["closed"], places["abbeville"])}
    assert criteria == {"beneficiaire": True, "dates": False}


def test_the_status_follows_the_day(aids, frozen):
    assert eligibility.status_of(aids["closed"]) == "close"  # closed yesterday
    assert eligibility.status_of(aids["soon"]) == "bientot-close"
    assert eligibility.status_of(aids["national"]) == "permanente"
    later = aids["soon"]
    with time_machine.travel(timezone.make_aware(datetime.datetime(2026, 6, 26, 10, 0)), tick=False):
        assert eligibility.status_of(later) == "close"


def test_the_reach_of_an_aid_is_stored_for_the_territory_facets(aids, places):
    aid = AidPage.objects.get(pk=aids["epci"].pk)
    assert not aid.nationwide and aid.reach_departments == ",80," and aid.reach_regions == ",32,"
    assert AidPage.objects.get(pk=aids["national"].pk).nationwide


# The listing -------------------------------------------------------------------------------------------------


def test_the_listing_shows_open_aids_and_closed_ones_on_request(client, aids, frozen):
    default = listed(client.get("/fr/aides/"))
    assert "Aide close hier" not in default and {"Aide nationale", "Aide bientôt close"} <= default
    assert listed(client.get("/fr/aides/?statut=close")) == {"Aide close hier"}
    assert listed(client.get("/fr/aides/?statut=bientot-close")) == {"Aide bientôt close"}
    assert client.get(aids["closed"].url).status_code == 200  # still reachable, marked closed
    assert "close depuis le" in client.get(aids["closed"].url).content.decode()


def test_which_aids_for_my_commune(client, aids, places, frozen):
    response = client.get("/fr/aides/?commune=80001")
    assert listed(response) == {"Aide nationale", "Aide régionale", "Aide de l'agglomération", "Aide bientôt close"}
    assert "Abbeville (80001) peut obtenir" in response.content.decode()
    typed = client.get("/fr/aides/?lieu=abbeville")
    assert typed.status_code == 302 and typed["Location"].endswith("?commune=80001")
    unknown = client.get("/fr/aides/?lieu=zzzzz")
    assert unknown.status_code == 200 and "Aucune commune ne répond" in unknown.content.decode()


def test_the_listing_shows_on_request_why_the_other_aids_are_not_listed(client, aids, places, frozen):
    body = html.unescape(client.get("/fr/aides/?commune=80001").content.decode())
    assert "pourquoi=1" in body and "ne peut pas obtenir" not in body
    body = html.unescape(client.get("/fr/aides/?commune=80001&pourquoi=1").content.decode())
    section = body[body.index('id="aides-exclues"') :]
    assert "Aide ACV</a> : programme (ACV)" in section
    assert "Aide des petites villes</a> : taille de la commune (moins de 3 500 habitants)" in section
    assert "Aide francilienne</a> : territoire (Île-de-France)" in section
    assert "Aide close hier" not in section  # closed: not an open aid


def test_an_aid_page_says_why_a_commune_cannot_get_it(client, aids, places, frozen):
    body = html.unescape(client.get(f"{aids['small'].url}?commune=80001").content.decode())
    assert "Critères pour Abbeville" in body and "non rempli" in body


def test_facets_count_the_selection(client, guide, places, frozen):
    AidPageFactory(parent=guide, title="Prêt", natures=["pret"], beneficiaries=["commune", "epci"])
    AidPageFactory(parent=guide, title="Subvention", natures=["subvention"], funder_type="region")
    AidPageFactory(parent=guide, title="Ingénierie", natures=["ingenierie", "pret"], beneficiaries=["association"])
    assert listed(client.get("/fr/aides/?nature=pret")) == {"Prêt", "Ingénierie"}
    assert listed(client.get("/fr/aides/?nature=pret&beneficiaire=commune")) == {"Prêt"}
    assert listed(client.get("/fr/aides/?porteur=region")) == {"Subvention"}
    body = client.get("/fr/aides/?nature=pret").content.decode()
    assert re.search(r"subvention\s*<span[^>]*>\s*\(?1\)?", body, re.I) or "subvention" in body


def test_territory_facets_include_the_nationwide_aids(client, aids, frozen):
    somme = listed(client.get("/fr/aides/?departement=80"))
    assert {"Aide nationale", "Aide régionale", "Aide de l'agglomération"} <= somme
    assert "Aide francilienne" not in somme
    assert "Aide francilienne" in listed(client.get("/fr/aides/?region=11"))


def test_exports_and_feed_follow_the_selection(client, aids, frozen):
    exported = b"".join(client.get("/fr/aides/export.csv?commune=80001").streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert {row["titre"] for row in rows} == {
        "Aide nationale",
        "Aide régionale",
        "Aide de l'agglomération",
        "Aide bientôt close",
    }
    records = json.loads(b"".join(client.get("/fr/aides/export.json?statut=close").streaming_content))
    assert [record["titre"] for record in records] == ["Aide close hier"]
    assert records[0]["statut"] == "close" and records[0]["url"].startswith("http")
    feed = client.get("/fr/aides/flux.xml").content.decode()
    assert "Aide bientôt close (clôture le 25/06/2026)" in feed and "Aide close hier" not in feed


# Aids and projects -------------------------------------------------------------------------------------------


def test_an_aid_lists_the_projects_it_funded_and_the_project_links_it(client, aids, places, core_site, frozen):
    index = ProjectIndexPageFactory(parent=core_site)
    aid = aids["region"]
    projects = []
    for amount in (40000, 60000):
        project = ProjectPageFactory(parent=index, commune=places["abbeville"])
        ProjectFundingLine.objects.create(page=project, funder="Région Hauts-de-France", amount=amount, aid=aid)
        projects.append(project)
    ProjectFundingLine.objects.create(page=projects[0], funder="Commune", amount=10000)
    body = client.get(aid.url).content.decode()
    assert projects[0].title in body and projects[1].title in body
    total = re.search(r"Total</th><td>([^<]+)</td>", body).group(1)
    assert re.sub(r"\D", "", total) == "100000"
    sheet = client.get(projects[0].url).content.decode()
    assert f'<a href="{aid.url}">Région Hauts-de-France</a>' in sheet
    assert "<td>Commune</td>" in sheet


# Both languages and the territory pages -----------------------------------------------------------------------


def test_the_guide_in_english(client, guide, aids, frozen):
    english = guide.copy_for_translation(Locale.objects.get(language_code="en"))
    english.title, english.slug = "Funding", "funding"
    english.save_revision().publish()
    response = client.get("/en/funding/?commune=80001")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Which aids for my commune?" in body
    # The aids are French pages: listed under their French address, marked as French.
    assert f'lang="fr"><a href="{aids["national"].url}' in body


def test_an_epci_page_lists_the_aids_that_reach_its_communes_only(client, aids, places, guide, frozen):
    other = EPCI.objects.create(siren="200070994", name="CC voisine", kind=EPCI.Kind.CC)
    Commune.objects.filter(pk=places["small"].pk).update(epci=other)
    AidPageFactory(parent=guide, title="Aide de la CC voisine", eligible_epcis=[other])
    body = client.get("/fr/territoires/intercommunalites/200070993-ca-de-la-baie-de-somme/").content.decode()
    section = html.unescape(body[body.index('id="section-aids"') :])
    assert "Aide de l'agglomération" in section and "Aide régionale" in section
    assert "Aide de la CC voisine" not in section  # same département, another EPCI
    assert "Aide ACV" not in section  # none of its communes is an ACV town


def test_the_commune_page_lists_the_aids_it_can_get(client, aids, places, frozen):
    body = client.get("/fr/territoires/communes/80001-abbeville/").content.decode()
    section = body[body.index('id="section-aids"') :]
    assert "Aide régionale" in section and "Aide francilienne" not in section and "Aide close hier" not in section
    assert "/fr/aides/?commune=80001" in section
