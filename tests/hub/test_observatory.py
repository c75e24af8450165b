"""The observatory: indicator import, computed indicators, charts, medians, the towns' comparison table."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult
from wagtail import hooks

from events.factories import EventIndexPageFactory, EventPageFactory
from hub import observatory
from hub.models import EPCI, Commune, Indicator, IndicatorValue, Programme
from hub.observatory.imports import IndicatorImportError, import_indicators, territory_kind
from network.factories import MemberFactory
from network.models import Member, Visibility
from resources.factories import ProjectIndexPageFactory, ProjectPageFactory
from resources.models import ProjectPage

THIS_YEAR = timezone.localdate().year


@pytest.fixture
def acv(core_site):
    return Programme.objects.get(slug="acv", locale__language_code="fr")


@pytest.fixture
def vacancy(db):
    return Indicator.objects.create(
        slug="vacance-commerciale",
        name="Taux de vacance commerciale",
        name_en="Commercial vacancy rate",
        unit="%",
        source="Étude de test",
        higher_is_better=False,
        illustrative=True,
    )


@pytest.fixture
def somme_epci(abbeville):
    epci = EPCI.objects.create(siren="200070993", name="CA de la Baie de Somme", kind=EPCI.Kind.CA)
    abbeville.epci = epci
    abbeville.save()
    return epci


def make_town(department, number, population, programme=None, name=None):
    town = Commune.objects.create(
        insee_code=f"80{500 + number:03d}",
        name=name or f"Ville {number:03d}",
        slug=f"ville-{number:03d}",
        population=population,
        department=department,
    )
    if programme is not None:
        town.programmes.add(programme)
    return town


def write(tmp_path, text, name="valeurs.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run_import(path):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_indicators", path, stdout=out, stderr=err)
    return out.getvalue()


def text_of(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# Import ------------------------------------------------------------------------------------------------


def test_codes_name_their_territory_by_length_unless_the_row_gives_the_level():
    assert territory_kind("80001") == ("commune", "80001")
    assert territory_kind("1004") == ("commune", "01004")
    assert territory_kind("2a004") == ("commune", "2A004")
    assert territory_kind("200 070 993") == ("epci", "200070993")
    assert territory_kind("80") == ("departement", "80")
    assert territory_kind("2B") == ("departement", "2B")
    assert territory_kind("971") == ("departement", "971")
    assert territory_kind("32", "region") == ("region", "32")
    assert territory_kind("32", "REG") == ("region", "32")
    assert territory_kind("123")[0] is None
    assert territory_kind("80001", "province")[0] is None


def test_import_creates_values_for_every_kind_of_territory(tmp_path, abbeville, somme_epci, vacancy):
    path = write(
        tmp_path,
        "Indicateur;Code;Année;Valeur;Niveau;Nom\n"
        "vacance-commerciale;80001;2023;12,5;;Abbeville\n"
        "vacance-commerciale;80001;2024;11.25;;Abbeville\n"
        "vacance-commerciale;200070993;2024;10;;CA\n"
        "vacance-commerciale;80;2024;9,8;;Somme\n"
        "vacance-commerciale;32;2024;9,1;region;Hauts-de-France\n",
    )
    output = run_import(path)
    assert "5 valeurs lues : 5 créées, 0 mises à jour, 0 inchangées" in output
    assert "Colonnes ignorées : nom" in output
    assert IndicatorValue.objects.get(commune=abbeville, year=2024).value == Decimal("11.25")
    assert IndicatorValue.objects.get(epci=somme_epci).value == Decimal("10")
    assert IndicatorValue.objects.get(department=abbeville.department).value == Decimal("9.8")
    assert IndicatorValue.objects.get(region=abbeville.department.region).value == Decimal("9.1")


def test_import_is_idempotent_and_updates_changed_values(tmp_path, abbeville, vacancy):
    first = "indicateur,code,annee,valeur\nvacance-commerciale,80001,2023,12.5\nvacance-commerciale,80001,2024,11\n"
    run_import(write(tmp_path, first))
    assert "0 créées, 0 mises à jour, 2 inchangées" in run_import(write(tmp_path, first))
    assert IndicatorValue.objects.count() == 2
    changed = first.replace("2024,11", "2024,10.5")
    assert "0 créées, 1 mises à jour, 1 inchangées" in run_import(write(tmp_path, changed))
    assert IndicatorValue.objects.count() == 2
    assert IndicatorValue.objects.get(year=2024).value == Decimal("10.5")


def test_a_bad_row_imports_nothing_and_the_error_names_the_row(tmp_path, abbeville, vacancy):
    run_import(write(tmp_path, "indicateur,code,annee,valeur\nvacance-commerciale,80001,2023,12.5\n"))
    path = write(
        tmp_path,
        "indicateur,code,annee,valeur\n"
        "vacance-commerciale,80001,2023,14\n"  # would update the stored value
        "vacance-commerciale,80001,2024,11\n"
        "vacance-commerciale,99999,2024,11\n",
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="aucune valeur importée"):
        call_command("import_indicators", path, stdout=io.StringIO(), stderr=err)
    assert "ligne 4 : commune inconnue : aucun code INSEE 99999" in err.getvalue()
    assert IndicatorValue.objects.count() == 1
    assert IndicatorValue.objects.get().value == Decimal("12.5")


def test_every_problem_is_reported_with_its_line(abbeville, vacancy):
    text = (
        "indicateur,code,annee,valeur\n"
        "inconnu,80001,2024,1\n"
        "projets,80001,2024,1\n"
        "vacance-commerciale,80001,24,1\n"
        "vacance-commerciale,80001,2024,douze\n"
        "vacance-commerciale,80001,2024,\n"
        "\n"
        'vacance-commerciale,80001,2022,"1,5"\n'
        "vacance-commerciale,80001,2022,2\n"
        "vacance-commerciale,ABC,2022,2\n"
    )
    with pytest.raises(IndicatorImportError) as raised:
        import_indicators(io.StringIO(text))
    errors = raised.value.errors
    assert errors[0].startswith("ligne 2 : indicateur « inconnu » inconnu")
    assert errors[1].startswith("ligne 3 : l'indicateur « projets » est calculé par le site")
    assert errors[2].startswith("ligne 4 : année « 24 » invalide")
    assert errors[3].startswith("ligne 5 : valeur « douze » invalide")
    assert errors[4] == "ligne 6 : valeur manquante"
    assert errors[5] == "ligne 9 : même indicateur, territoire et année qu'à la ligne 8"
    assert errors[6].startswith("ligne 10 : code « ABC » non reconnu")
    assert not IndicatorValue.objects.exists()


def test_a_file_without_the_expected_columns_says_which_are_missing(db):
    with pytest.raises(IndicatorImportError, match="colonne\\(s\\) manquante\\(s\\) : annee, valeur"):
        import_indicators(io.StringIO("indicateur,code\nx,80001\n"))
    with pytest.raises(IndicatorImportError, match="vide"):
        import_indicators(io.StringIO(""))


def test_an_indicator_cannot_take_the_slug_of_a_computed_one(db):
    indicator = Indicator(slug="projets", name="Projets", source="x")
    with pytest.raises(Exception, match="calculé"):
        indicator.full_clean()


# Computed indicators -------------------------------------------------------------------------------------


@pytest.fixture
def site_content(core_site, abbeville, somme_epci):
    """Projects, events and members in Abbeville and in another commune of the Somme."""
    other = make_town(abbeville.department, 400, 8000, name="Amiens-sur-Test")
    index = ProjectIndexPageFactory(parent=core_site)
    ProjectPageFactory(parent=index, commune=abbeville, start_year=2019, total_cost=100000)
    ProjectPageFactory(parent=index, commune=abbeville, start_year=2021, total_cost=250000)
    undated = ProjectPageFactory(parent=index, commune=abbeville, start_year=None, total_cost=None)
    # No start year: it counts from its first publication, set here (the factory's is random).
    ProjectPage.objects.filter(pk=undated.pk).update(
        first_published_at=timezone.make_aware(datetime.datetime(2024, 3, 1))
    )
    draft = ProjectPageFactory(parent=index, commune=abbeville, start_year=2021, total_cost=1)
    draft.unpublish()
    ProjectPageFactory(parent=index, commune=other, start_year=2022, total_cost=50000)

    agenda = EventIndexPageFactory(parent=core_site)
    past = timezone.now() - datetime.timedelta(days=400)
    EventPageFactory(parent=agenda, commune=abbeville, start=past, end=past + datetime.timedelta(hours=2))
    recent = timezone.now() - datetime.timedelta(days=2)
    EventPageFactory(parent=agenda, commune=abbeville, start=recent, end=recent + datetime.timedelta(hours=2))
    EventPageFactory(parent=agenda, commune=abbeville)  # upcoming: not held yet

    MemberFactory(commune=abbeville, visibility=Visibility.PUBLIC)
    MemberFactory(commune=abbeville, visibility=Visibility.MEMBERS)
    MemberFactory(commune=abbeville, visibility=Visibility.HIDDEN)
    MemberFactory(commune=other, visibility=Visibility.PUBLIC)
    MemberFactory(commune=None, department=abbeville.department, visibility=Visibility.PUBLIC)
    Member.objects.update(created_at=timezone.make_aware(datetime.datetime(2022, 6, 1)))
    return {"other": other, "past": past, "recent": recent}


def latest(summaries, slug):
    return next(summary for summary in summaries if summary.indicator.slug == slug).series.latest


def test_computed_indicators_equal_the_counts_made_by_hand(site_content, abbeville):
    found = observatory.summaries(abbeville)
    live = ProjectPage.objects.live().filter(commune=abbeville, locale__language_code="fr")
    assert latest(found, "projets") == live.count() == 3
    assert latest(found, "investissement") == sum(p.total_cost or 0 for p in live) == 350000
    assert latest(found, "evenements") == 2
    assert latest(found, "membres") == 1  # the public profile only
    assert latest(found, "population") == abbeville.population

    department = observatory.summaries(abbeville.department)
    assert latest(department, "projets") == 4
    assert latest(department, "membres") == 3  # two with a commune, one with only the département
    assert latest(department, "population") == abbeville.population + 8000
    assert latest(observatory.summaries(abbeville.department.region), "projets") == 4
    assert latest(observatory.summaries(abbeville.epci), "projets") == 3


def test_cumulative_indicators_give_the_running_total_each_year(site_content, abbeville):
    projects = next(s for s in observatory.summaries(abbeville) if s.indicator.slug == "projets")
    by_year = dict(projects.series.points)
    assert by_year[2019] == 1 and by_year[2020] == 1 and by_year[2021] == 2 and by_year[2024] == 3
    assert max(by_year) == THIS_YEAR and projects.series.latest_year is None  # "to date"


def test_computed_indicators_answer_for_many_towns_in_the_same_number_of_queries(site_content, abbeville):
    projects = observatory.get_indicator("projets")
    projects.values_for("commune", [abbeville.pk])  # the view restrictions are read once, then kept
    with CaptureQueriesContext(connection) as few:
        values = projects.values_for("commune", [abbeville.pk])
    towns = [abbeville.pk, site_content["other"].pk, *range(10_000, 10_050)]
    with CaptureQueriesContext(connection) as many:
        more = projects.values_for("commune", towns)
    assert len(few) == len(many)
    assert values[abbeville.pk][2021] == 2 and more[site_content["other"].pk][2022] == 1


# The indicator panel --------------------------------------------------------------------------------------


def render_panel(territory, language="fr"):
    with translation.override(language):
        return Template("{% load observatory_tags %}{% indicator_panel territory %}").render(
            Context({"territory": territory})
        )


def test_panel_draws_each_trend_as_svg_with_its_data_table(core_site, abbeville, vacancy):
    for year, value in ((2022, "13.5"), (2023, "12.5"), (2024, "11.0")):
        IndicatorValue.objects.create(indicator=vacancy, commune=abbeville, year=year, value=Decimal(value))
    html = render_panel(abbeville)
    section = html[html.index('id="indicateur-vacance-commerciale"') :]
    section = section[: section.index("</li>")]
    assert '<svg class="hub-chart"' in section and 'aria-hidden="true"' in section
    assert "<figure" in section and "<figcaption" in section
    table = section[section.index("<table>") : section.index("</table>")]
    assert "<caption>Taux de vacance commerciale — Abbeville, par année (valeurs illustratives)</caption>" in table
    assert re.findall(r'<th scope="row">(\d{4})</th><td>([^<]+)</td>', table) == [
        ("2022", "13,5\xa0%"),
        ("2023", "12,5\xa0%"),
        ("2024", "11,0\xa0%"),
    ]
    assert "valeurs illustratives" in section and "fr-alert--warning" in html
    english = render_panel(abbeville, "en")
    assert "Commercial vacancy rate" in english and "illustrative values" in english


def test_panel_takes_a_wrapper_holding_the_territory(core_site, abbeville):
    class Wrapper:
        kind = "commune"
        obj = abbeville

    assert 'id="indicateur-population"' in render_panel(Wrapper())
    assert render_panel(object()).strip() == ""


def test_a_town_is_compared_with_the_median_of_its_programme_and_population_band(core_site, abbeville, acv, vacancy):
    abbeville.programmes.add(acv)
    department = abbeville.department
    peers = [make_town(department, n, 25000 + n, acv) for n in range(1, 5)]
    outsider_band = make_town(department, 10, 60000, acv)  # another band
    outsider_programme = make_town(department, 11, 30000)  # no programme
    values = {abbeville: "12", peers[0]: "10", peers[1]: "14", peers[2]: "16", peers[3]: "30"}
    values.update({outsider_band: "1", outsider_programme: "1"})
    for town, value in values.items():
        IndicatorValue.objects.create(indicator=vacancy, commune=town, year=2024, value=Decimal(value))
    IndicatorValue.objects.create(indicator=vacancy, commune=peers[0], year=2023, value=Decimal("99"))

    summary = next(s for s in observatory.summaries(abbeville) if s.indicator == vacancy)
    (comparison,) = summary.comparisons
    assert comparison.median == Decimal("14") and comparison.count == 5
    assert comparison.position == "below" and comparison.favourable is True  # lower vacancy is better
    assert "communes ACV de 20 000 à 50 000 habitants" in comparison.label
    html = render_panel(abbeville)
    assert "Médiane des communes ACV de 20 000 à 50 000 habitants (5) : <strong>14,0\xa0%</strong>" in html
    assert "plus favorable" in html

    projects = next(s for s in observatory.summaries(abbeville) if s.indicator.slug == "projets")
    assert projects.comparisons[0].median == 0 and projects.comparisons[0].count == 5  # towns without any count 0


# The observatory ----------------------------------------------------------------------------------------------


@pytest.fixture
def compared(core_site, abbeville, acv, vacancy):
    """Abbeville and three other ACV towns with a 2024 value; one also in 2023; one PVD town."""
    abbeville.programmes.add(acv)
    department = abbeville.department
    towns = {
        "Abbeville": abbeville,
        "Bray": make_town(department, 1, 2500, acv, "Bray"),
        "Corbie": make_town(department, 2, 6000, acv, "Corbie"),
        "Éclusier": make_town(department, 3, 45000, acv, "Éclusier"),
    }
    for town, value in zip(towns.values(), ("12", "8", "15", "10"), strict=True):
        IndicatorValue.objects.create(indicator=vacancy, commune=town, year=2024, value=Decimal(value))
    IndicatorValue.objects.create(indicator=vacancy, commune=towns["Bray"], year=2023, value=Decimal("9"))
    return towns


def table_names(response):
    body = response.content.decode()
    table = body[body.index("<tbody>") : body.index("</tbody>")]
    return re.findall(r'<th scope="row">(?:<a [^>]+>)?([^<(]+?)(?:</a>)? <span', table)


def test_observatory_compares_towns_on_one_indicator(client, compared):
    response = client.get("/fr/territoires/observatoire/?indicateur=vacance-commerciale")
    assert response.status_code == 200
    assert table_names(response) == ["Corbie", "Abbeville", "Éclusier", "Bray"]  # highest value first
    text = text_of(response)
    assert "4 communes — médiane : 11,0 %" in text.replace("\xa0", " ")
    assert "Ces valeurs sont illustratives" in text

    ascending = client.get("/fr/territoires/observatoire/?indicateur=vacance-commerciale&tri=valeur")
    assert table_names(ascending) == ["Bray", "Éclusier", "Abbeville", "Corbie"]
    by_name = client.get("/fr/territoires/observatoire/?indicateur=vacance-commerciale&tri=nom")
    assert table_names(by_name) == ["Abbeville", "Bray", "Corbie", "Éclusier"]
    reverse_name = client.get("/fr/territoires/observatoire/?indicateur=vacance-commerciale&tri=-nom")
    assert table_names(reverse_name) == ["Éclusier", "Corbie", "Bray", "Abbeville"]
    assert 'aria-sort="descending"' in reverse_name.content.decode()

    earlier = client.get("/fr/territoires/observatoire/?indicateur=vacance-commerciale&annee=2023")
    assert table_names(earlier) == ["Bray"]


def test_observatory_filters_by_programme_region_and_population_band(client, compared, abbeville):
    base = "/fr/territoires/observatoire/?indicateur=vacance-commerciale"
    assert table_names(client.get(base + "&population=3500-20000")) == ["Corbie"]
    assert table_names(client.get(base + "&population=20000-50000&tri=nom")) == ["Abbeville", "Éclusier"]
    assert table_names(client.get(base + "&region=32&tri=nom")) == ["Abbeville", "Bray", "Corbie", "Éclusier"]
    assert table_names(client.get(base + "&programme=acv&population=lt3500")) == ["Bray"]
    nothing = client.get(base + "&programme=pvd")
    assert "Aucune commune ne correspond" in text_of(nothing)


def test_observatory_compares_towns_on_a_computed_indicator(client, site_content, abbeville, acv):
    abbeville.programmes.add(acv)
    site_content["other"].programmes.add(acv)
    response = client.get("/fr/territoires/observatoire/?indicateur=projets")
    assert table_names(response) == ["Abbeville", "Amiens-sur-Test"]
    assert "3" in text_of(response)
    at_2021 = client.get("/fr/territoires/observatoire/?indicateur=projets&annee=2021&tri=nom")
    body = at_2021.content.decode()
    values = re.findall(r'<td class="hub-number">([^<]*)</td>\s*</tr>', body)
    assert values == ["2", "0"]


def test_observatory_exports_the_same_rows_as_csv(client, compared):
    response = client.get("/fr/territoires/observatoire/export.csv?indicateur=vacance-commerciale&tri=nom&region=32")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == [
        "code_insee",
        "commune",
        "departement",
        "region",
        "population",
        "indicateur",
        "annee",
        "valeur",
        "unite",
        "illustratif",
    ]
    assert [row[1] for row in rows[1:]] == ["Abbeville", "Bray", "Corbie", "Éclusier"]
    assert rows[1] == [
        "80001",
        "Abbeville",
        "80",
        "Hauts-de-France",
        "22595",
        "vacance-commerciale",
        "2024",
        "12",
        "%",
        "oui",
    ]
    page = client.get("/fr/territoires/observatoire/?indicateur=vacance-commerciale&tri=nom&region=32")
    assert "export.csv?indicateur=vacance-commerciale&amp;region=32&amp;tri=nom" in page.content.decode()


def test_observatory_in_english(client, compared):
    response = client.get("/en/territories/observatory/?indicateur=vacance-commerciale&tri=nom")
    assert response.status_code == 200
    text = text_of(response)
    assert "Town-centre observatory" in text and "Commercial vacancy rate" in text
    assert "These values are illustrative" in text
    assert table_names(response) == ["Abbeville", "Bray", "Corbie", "Éclusier"]
    assert client.get("/en/territories/observatory/export.csv?indicateur=vacance-commerciale").status_code == 200
    french = client.get("/fr/territoires/observatoire/")
    assert 'hreflang="en"' in french.content.decode() or "/en/territories/observatory/" in french.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "indicateur=inconnu",
        "indicateur=vacance-commerciale&annee=abc",
        "indicateur=vacance-commerciale&annee=1800",
        "programme=zzz&region=%00&population=%27--",
        "tri=%3Cscript%3E&page=-3",
        "page=99999",
        "indicateur=%00",
        "indicateur=" + "x" * 5000,
    ],
    ids=range(8),
)
def test_bad_parameters_are_ignored_and_said_so(client, compared, query):
    response = client.get(f"/fr/territoires/observatoire/?{query}")
    assert response.status_code == 200
    assert client.get(f"/fr/territoires/observatoire/export.csv?{query}").status_code == 200
    if "page" not in query:
        assert "fr-alert--warning" in response.content.decode()


@pytest.mark.parametrize("indicator", ["vacance-commerciale", "projets"])
def test_observatory_table_needs_the_same_queries_for_3_and_30_towns(
    client, core_site, abbeville, acv, vacancy, indicator
):
    department = abbeville.department
    counts = []
    number = 0
    for wanted in (3, 30):
        while Commune.objects.filter(programmes=acv).count() < wanted:
            number += 1
            town = make_town(department, number, 10000 + number, acv)
            IndicatorValue.objects.create(indicator=vacancy, commune=town, year=2024, value=Decimal(number))
        url = f"/fr/territoires/observatoire/?indicateur={indicator}"
        client.get(url)  # the header and footer are cached once
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert len(table_names(response)) == wanted
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_load_demo_imports_the_illustrative_indicators(abbeville):
    call_command("load_demo", "--no-index", "--projects", "3", "--events", "1", "--members", "2", verbosity=0)
    vacancy = Indicator.objects.get(slug="vacance-commerciale")
    footfall = Indicator.objects.get(slug="frequentation")
    assert vacancy.illustrative and footfall.illustrative and not vacancy.higher_is_better
    count = IndicatorValue.objects.filter(commune=abbeville).count()
    assert count == 12  # Abbeville is an ACV town of the shipped file: two indicators, six years
    call_command("load_demo", "--no-index", "--projects", "3", "--events", "1", "--members", "2", verbosity=0)
    assert IndicatorValue.objects.count() == count


def test_indicators_are_snippets_in_the_admin(admin_client, vacancy):
    response = admin_client.get("/admin/snippets/hub/indicator/")
    assert response.status_code == 200 and "Taux de vacance commerciale" in response.content.decode()


def test_an_app_adds_an_indicator_through_the_hook(client, compared, abbeville):
    def shops(kind, pks):
        return {abbeville.pk: {2023: 4, 2024: 2}}

    declared = observatory.ComputedIndicator(slug="commerces", name="Commerces ouverts", compute=shops, order=99)
    with hooks.register_temporarily("hub_territory_indicators", lambda: declared):
        assert observatory.get_indicator("commerces") is declared
        found = next(s for s in observatory.summaries(abbeville) if s.indicator is declared)
        assert found.series.latest == 6 and dict(found.series.points)[2023] == 4
        response = client.get("/fr/territoires/observatoire/?indicateur=commerces&tri=nom")
        assert table_names(response) == ["Abbeville", "Bray", "Corbie", "Éclusier"]


def test_a_territory_other_than_a_commune_is_compared_with_those_of_its_kind(core_site, abbeville, somme_epci, vacancy):
    other = EPCI.objects.create(siren="200000001", name="CC de Test", kind=EPCI.Kind.CC)
    third = EPCI.objects.create(siren="200000002", name="CC d'Essai", kind=EPCI.Kind.CC)
    for epci, value in ((somme_epci, "9"), (other, "13"), (third, "15")):
        IndicatorValue.objects.create(indicator=vacancy, epci=epci, year=2024, value=Decimal(value))
    summary = next(s for s in observatory.summaries(somme_epci) if s.indicator == vacancy)
    (comparison,) = summary.comparisons
    assert (comparison.label, comparison.median, comparison.count) == ("intercommunalités", Decimal("13"), 3)
    assert comparison.favourable is True
    assert "Médiane des intercommunalités (3)" in render_panel(somme_epci)


# The stored medians (hub.observatory.medians) --------------------------------------------------------------


def epci_projects_comparison(epci):
    projects = next(s for s in observatory.summaries(epci) if s.indicator.slug == "projets")
    ((comparison),) = projects.comparisons
    return projects.series.latest, comparison.median, comparison.count


def test_medians_are_kept_then_renewed_once_out_of_date(site_content, abbeville, settings):
    settings.HUB_OBSERVATORY_MEDIANS_TIMEOUT = 300
    start = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 0))
    with time_machine.travel(start, tick=False) as clock:
        assert epci_projects_comparison(abbeville.epci) == (3, 3, 1)
        index = ProjectPage.objects.first().get_parent()
        ProjectPageFactory(parent=index, commune=abbeville, start_year=2023)
        # Its own value is live; the median every EPCI is compared with is the stored one for a while.
        assert epci_projects_comparison(abbeville.epci) == (4, 3, 1)
        clock.shift(datetime.timedelta(seconds=301))
        assert epci_projects_comparison(abbeville.epci) == (4, 4, 1)


def test_medians_are_renewed_when_the_territories_change(site_content, abbeville, settings):
    settings.HUB_OBSERVATORY_MEDIANS_TIMEOUT = 3600
    assert epci_projects_comparison(abbeville.epci) == (3, 3, 1)
    EPCI.objects.create(siren="200000009", name="CC sans projet", kind=EPCI.Kind.CC)  # bumps the generation
    assert epci_projects_comparison(abbeville.epci) == (3, Decimal("1.5"), 2)


@pytest.mark.django_db(transaction=True)  # db_worker closes the database connection when it is done
def test_out_of_date_medians_are_renewed_by_one_background_task(site_content, abbeville, settings):
    settings.HUB_OBSERVATORY_MEDIANS_TIMEOUT = 3600
    assert epci_projects_comparison(abbeville.epci) == (3, 3, 1)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    EPCI.objects.create(siren="200000009", name="CC sans projet", kind=EPCI.Kind.CC)
    # The page shows the previous medians and leaves their renewal to db_worker, queued once.
    assert epci_projects_comparison(abbeville.epci) == (3, 3, 1)
    assert epci_projects_comparison(abbeville.epci) == (3, 3, 1)
    queued = DBTaskResult.objects.filter(task_path="hub.tasks.refresh_observatory_medians")
    assert queued.count() == 1
    call_command("db_worker", batch=True, verbosity=0)
    assert epci_projects_comparison(abbeville.epci) == (3, Decimal("1.5"), 2)


def test_the_table_of_a_computed_indicator_shows_the_stored_values_until_renewed(
    client, site_content, abbeville, acv, settings
):
    settings.HUB_OBSERVATORY_MEDIANS_TIMEOUT = 300
    abbeville.programmes.add(acv)
    site_content["other"].programmes.add(acv)

    def values():
        body = client.get("/fr/territoires/observatoire/?indicateur=projets&tri=nom").content.decode()
        return re.findall(r'<td class="hub-number">([^<]*)</td>\s*</tr>', body)

    start = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 0))
    with time_machine.travel(start, tick=False) as clock:
        assert values() == ["3", "1"]
        ProjectPageFactory(parent=ProjectPage.objects.first().get_parent(), commune=site_content["other"])
        assert values() == ["3", "1"]
        clock.shift(datetime.timedelta(seconds=301))
        assert values() == ["3", "2"]
