"""`manage.py import_aids`: aides-territoires aids mapped onto AidPage, checked first, imported once."""

import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from wagtail.models import Revision

from hub.models import Commune, Region
from resources.aid_import import import_aids, plain_text, shorten, split_perimeter
from resources.factories import AidIndexPageFactory
from resources.models import AidPage

FIXTURE = Path(__file__).parent / "fixtures" / "aides-territoires.json"
IMPORTED = ["164201", "164202", "164203", "164205", "164206"]


@pytest.fixture
def guide(core_site, abbeville):
    """The French guide of aids, published; the test database knows Hauts-de-France, the Somme and Abbeville,
    and La Réunion (an overseas région)."""
    Region.objects.create(code="04", name="La Réunion", slug="la-reunion")
    index = AidIndexPageFactory(parent=core_site)
    index.save_revision().publish()
    return index


def run(path=FIXTURE, verbosity=1):
    out = io.StringIO()
    call_command("import_aids", str(path), stdout=out, verbosity=verbosity)
    return out.getvalue()


def aid(external_id):
    return AidPage.objects.get(external_id=external_id)


def pks(relation):
    return {obj.pk for obj in relation.all()}


def slugs(relation):
    return {obj.slug for obj in relation.all()}


def revisions(page):
    return Revision.page_revisions.filter(object_id=str(page.pk)).count()


def fixture_data():
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def write(tmp_path, data, name="aides.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


# The first import ---------------------------------------------------------------------------------------


def test_the_fixture_is_imported_as_live_published_aids_under_the_guide(guide):
    output = run()
    assert "6 aides lues : créées 5, mises à jour 0, inchangées 0, ignorées 1." in output
    pages = AidPage.objects.child_of(guide)
    assert sorted(pages.values_list("external_id", flat=True)) == IMPORTED
    for page in pages:
        assert page.live and page.live_revision_id and page.first_published_at
        assert page.locale.language_code == "fr"
        assert revisions(page) == 1
    assert aid("164202").slug == "7c2e-renover-les-logements-degrades-des-centres-anci"


def test_a_regional_aid_maps_its_fields(guide, abbeville):
    assert not AidPage.objects.exists()
    run()
    page = aid("164202")
    assert page.title == "Rénover les logements dégradés des centres anciens"
    assert page.summary.startswith("Les propriétaires qui remettent en état un logement très dégradé")
    assert "<" not in page.summary and len(page.summary) <= 600
    assert page.funders == "Agence nationale de l'habitat (Anah)"
    assert page.funder_type == "anah"
    assert page.natures == ["subvention"]
    assert page.beneficiaries == ["commune", "proprietaire"]  # "Particuliers", "Communes" (API 1.x labels)
    assert pks(page.eligible_regions) == {abbeville.department.region_id}
    assert not page.eligible_departments.exists() and not page.eligible_commune_links.exists()
    assert not page.nationwide and page.reach_regions == ",32," and page.reach_departments == ",80,"
    assert slugs(page.thematics) == {"habitat"}
    assert not page.programmes.exists() and not page.required_programmes.exists()
    assert (page.rate_min, page.rate_max) == (Decimal("25"), Decimal("50"))
    assert page.opens_on == datetime.date(2025, 1, 6)
    assert page.closes_on == datetime.date(2026, 6, 30)
    assert page.permanent is False
    assert page.application_url == "https://demarches.example.org/anah-centres-anciens"
    # No origin_url: the source is the aid's page on aides-territoires, made absolute.
    assert page.source_url == (
        "https://aides-territoires.beta.gouv.fr/aides/7c2e-renover-les-logements-degrades-des-centres-anci/"
    )
    assert page.contact == "Délégation locale de l'Anah : anah-somme@example.org\nPermanence le mardi matin"
    assert (
        page.eligibility
        == "Logement achevé depuis plus de quinze ans.\nEngagement de location de six ans pour un bailleur."
    )
    assert page.how_to_apply == (
        "Dossier instruit par : Direction départementale des territoires de la Somme.\n"
        "Pré-dépôt du dossier avant le 31/03/2025."
    )
    assert page.last_verified_on == datetime.date(2025, 2, 20)


def test_a_departmental_call_for_projects(guide, abbeville):
    run()
    page = aid("164203")
    assert pks(page.eligible_departments) == {abbeville.department_id}
    assert not page.eligible_regions.exists()
    assert page.funder_type == "departement"
    assert page.natures == ["subvention", "appel-a-projets"]
    assert page.beneficiaries == ["commune", "epci"]
    assert (page.rate_min, page.rate_max) == (None, Decimal("40"))
    assert slugs(page.thematics) == {"espaces-publics", "mobilites"}
    assert page.source_url == "https://www.example.org/somme/places-et-rues-partagees"
    assert page.contact == "Service aménagement et territoires\n03 00 00 00 00"


def test_a_national_permanent_aid_of_two_programmes_has_no_territory_rule(guide):
    run()
    page = aid("164201")
    assert page.nationwide
    for relation in (
        page.eligible_regions,
        page.eligible_departments,
        page.eligible_epcis,
        page.eligible_commune_links,
    ):
        assert not relation.exists()
    assert page.permanent is True and page.closes_on is None and page.opens_on is None
    assert page.funder_type == "banque-des-territoires"
    assert page.natures == ["pret", "ingenierie"]
    assert slugs(page.programmes) == slugs(page.required_programmes) == {"acv", "pvd"}
    assert {p.locale.language_code for p in page.programmes.all()} == {"fr"}
    assert slugs(page.thematics) == {"commerce", "management-centre-ville"}
    assert page.rate_min is None and page.rate_max is None
    assert page.contact == "Direction régionale de la Banque des Territoires\nrevitalisation@example.org"
    assert page.last_verified_on == datetime.date(2025, 3, 12)


def test_a_european_aid_and_a_mainland_aid(guide, abbeville):
    run()
    feder = aid("164206")
    assert feder.nationwide and not feder.eligible_regions.exists()
    assert feder.funder_type == "europe"
    assert feder.funders == "Union européenne, Région Hauts-de-France"
    assert feder.natures == ["subvention", "avance-remboursable"]
    assert feder.beneficiaries == ["commercant-artisan", "association"]
    engineering = aid("164205")
    # « France métropolitaine »: the mainland régions, not La Réunion.
    assert pks(engineering.eligible_regions) == {abbeville.department.region_id}
    assert engineering.funder_type == "operateur-etat"
    assert engineering.natures == ["ingenierie"]
    assert engineering.beneficiaries == ["commune"]
    assert slugs(engineering.required_programmes) == {"pvd"}
    assert engineering.permanent and engineering.closes_on is None


def test_unmapped_values_and_the_unknown_perimeter_are_reported(guide):
    output = run()
    lines = output.splitlines()
    assert (
        "aide 164203 « Aménager des espaces publics apaisés en cœur de bourg » : public « Agriculteur » non reconnu"
    ) in lines
    assert (
        "aide 164203 « Aménager des espaces publics apaisés en cœur de bourg » : "
        "programme « Fonds vert - Édition 2025 » non reconnu"
    ) in lines
    prefix = "aide 164205 « Bénéficier d'un accompagnement en ingénierie pour un projet de revitalisation » : "
    assert prefix + "type d'aide « Certificat d'économie d'énergie (CEE) » non reconnu" in lines
    assert prefix + "public « Entreprise publique locale (Sem, Spl, SemOp) » non reconnu" in lines
    assert prefix + "catégorie(s) sans thématique correspondante : Fonctions support / Appui méthodologique" in lines
    assert prefix + "aide permanente : sa date de clôture (2026-12-31) n'est pas reprise" in lines
    assert (
        "aide 164204 « S'adapter au recul du trait de côte » : périmètre « Communes littorales » non reconnu "
        "(échelle « Ad-hoc » sans équivalent parmi nos territoires) : aide ignorée"
    ) in lines
    assert not AidPage.objects.filter(external_id="164204").exists()
    assert not any("164201" in line or "164202" in line for line in lines)  # they map entirely


# Running it again ---------------------------------------------------------------------------------------


def test_a_second_run_changes_nothing(guide):
    run()
    before = {
        page.external_id: (revisions(page), page.latest_revision_id, page.last_published_at)
        for page in AidPage.objects.all()
    }
    output = run(verbosity=2)
    assert "6 aides lues : créées 0, mises à jour 0, inchangées 5, ignorées 1." in output
    assert "» : créée" not in output and "» : mise à jour (" not in output
    after = {
        page.external_id: (revisions(page), page.latest_revision_id, page.last_published_at)
        for page in AidPage.objects.all()
    }
    assert after == before
    assert Revision.page_revisions.filter(object_id__in=[str(p.pk) for p in AidPage.objects.all()]).count() == 5


def test_a_changed_aid_is_updated_alone_with_a_new_published_revision(guide, abbeville, tmp_path):
    run()
    data = fixture_data()
    changed = data["results"][2]
    changed["submission_deadline"] = "2025-11-30"
    changed["financers"] = ["Département de la Somme", "Région Hauts-de-France"]
    changed["perimeter"], changed["perimeter_scale"] = "Hauts-de-France", "Région"
    before = {page.external_id: revisions(page) for page in AidPage.objects.all()}
    output = run(write(tmp_path, data), verbosity=2)
    assert "créées 0, mises à jour 1, inchangées 4, ignorées 1." in output
    assert (
        "aide 164203 « Aménager des espaces publics apaisés en cœur de bourg » : mise à jour "
        "(funders, closes_on, eligible_regions, eligible_departments)"
    ) in output
    page = aid("164203")
    assert page.closes_on == datetime.date(2025, 11, 30)
    assert page.funders == "Département de la Somme, Région Hauts-de-France"
    assert pks(page.eligible_regions) == {abbeville.department.region_id}
    assert not page.eligible_departments.exists()
    assert page.live and not page.has_unpublished_changes and page.live_revision_id == page.latest_revision_id
    after = {page.external_id: revisions(page) for page in AidPage.objects.all()}
    assert after == {**before, "164203": before["164203"] + 1}


def test_an_aid_an_editor_unpublished_is_left_alone(guide, tmp_path):
    run()
    page = aid("164206")
    page.unpublish()
    data = fixture_data()
    data["results"][5]["submission_deadline"] = "2025-09-30"
    output = run(write(tmp_path, data))
    assert (
        "aide 164206 « Soutenir la modernisation des commerces et de l'artisanat de proximité » : page dépubliée"
        in output
    )
    assert "créées 0, mises à jour 0, inchangées 4, ignorées 2." in output
    page = aid("164206")
    assert not page.live and page.closes_on == datetime.date(2025, 12, 31)


def test_a_bare_list_and_a_commune_perimeter_with_its_postcode(guide, abbeville, tmp_path):
    abbeville.postcodes = "80100"
    abbeville.save()
    Commune.objects.create(
        insee_code="76001", name="Abbeville", slug="abbeville-76001", postcodes="76200", department=None
    )
    data = fixture_data()["results"][1:2]
    data[0]["perimeter"] = "Abbeville (Commune – 80100)"
    output = run(write(tmp_path, data))
    assert "1 aides lues : créées 1, mises à jour 0, inchangées 0, ignorées 0." in output
    page = aid("164202")
    assert [link.commune_id for link in page.eligible_commune_links.all()] == [abbeville.pk]
    assert page.reach_departments == ",80,"
    assert "inchangées 1" in run(write(tmp_path, data))
    assert revisions(aid("164202")) == 1


def test_an_ambiguous_or_unknown_territory_skips_the_aid(guide, abbeville, tmp_path):
    Commune.objects.create(insee_code="76001", name="Abbeville", slug="abbeville-76001", department=None)
    data = fixture_data()["results"][1:3]
    data[0]["perimeter"] = "Abbeville (Commune)"
    data[1]["perimeter"], data[1]["perimeter_scale"] = "Pas-de-Calais", "Département"
    output = run(write(tmp_path, data))
    assert "créées 0, mises à jour 0, inchangées 0, ignorées 2." in output
    assert "périmètre « Abbeville (Commune) » ambigu (Abbeville (76001), Abbeville (80001)) : aide ignorée" in output
    assert "périmètre « Pas-de-Calais » non reconnu : aide ignorée" in output
    assert not AidPage.objects.exists()


# Malformed files ----------------------------------------------------------------------------------------


def test_a_file_that_is_not_json_imports_nothing(guide, tmp_path):
    path = tmp_path / "aides.json"
    path.write_text('{"count": 1, "results": [', encoding="utf-8")
    with pytest.raises(CommandError, match=r"aucune aide importée\.\nJSON illisible, ligne 1"):
        run(path)
    assert not AidPage.objects.exists()


def test_a_file_without_results_imports_nothing(guide, tmp_path):
    with pytest.raises(CommandError, match="pas de liste « results »"):
        run(write(tmp_path, {"count": 0, "aids": []}))


def test_every_malformed_aid_is_named_and_nothing_is_imported(guide, tmp_path):
    data = fixture_data()
    del data["results"][1]["name"]
    data["results"][2]["submission_deadline"] = "2025-02-30"
    data["results"][4]["subvention_rate_upper_bound"] = "beaucoup"
    data["results"][5]["id"] = None
    data["results"].append(dict(data["results"][0]))
    with pytest.raises(CommandError) as raised:
        run(write(tmp_path, data))
    message = str(raised.value)
    assert message.startswith("5 erreur(s) dans ")
    assert "aucune aide importée." in message
    lines = message.splitlines()[1:]
    assert lines == [
        "aide n° 2 (id 164202) : nom (name) manquant",
        "aide n° 3 (id 164203) : submission_deadline : date « 2025-02-30 » invalide (attendu : AAAA-MM-JJ)",
        "aide n° 5 (id 164205) : subvention_rate_upper_bound : taux « beaucoup » invalide "
        "(attendu : un nombre de 0 à 100)",
        "aide n° 6 : identifiant (id) manquant",
        "aide n° 7 (id 164201) : même identifiant que l'aide n° 1",
    ]
    assert not AidPage.objects.exists()


def test_inconsistent_dates_and_rates_are_errors(guide, tmp_path):
    data = fixture_data()["results"][1:2]
    data[0]["submission_deadline"] = "2024-12-31"
    data[0]["subvention_rate_lower_bound"] = 60
    data[0]["date_updated"] = "hier"
    with pytest.raises(CommandError) as raised:
        run(write(tmp_path, data))
    lines = str(raised.value).splitlines()[1:]
    assert lines == [
        "aide n° 1 (id 164202) : date_updated : « hier » invalide (attendu : une date et heure ISO 8601)",
        "aide n° 1 (id 164202) : la clôture (submission_deadline, 2024-12-31) précède l'ouverture "
        "(start_date, 2025-01-06)",
        "aide n° 1 (id 164202) : taux minimal (60) supérieur au taux maximal (50)",
    ]


def test_without_a_guide_of_aids_the_command_says_what_to_do(core_site):
    with pytest.raises(CommandError, match="load_demo"):
        run()
    assert not AidPage.objects.exists()


# Helpers ------------------------------------------------------------------------------------------------


def test_text_helpers():
    assert plain_text("<p>Un&nbsp;texte</p><ul><li>un</li><li>deux</li></ul><script>x()</script>") == (
        "Un texte\n- un\n- deux"
    )
    assert plain_text("<p>Un</p> <p>deux</p>", lines=False) == "Un deux"
    assert shorten("un deux trois", 10) == "un deux…"
    assert len(shorten("mot " * 400, 600)) <= 600


def test_import_aids_reads_a_file_object(guide):
    result = import_aids(io.BytesIO(FIXTURE.read_bytes()))
    assert (result.created, result.skipped) == (5, 1)


def test_perimeters_are_read_in_both_api_formats():
    class Aid:
        def __init__(self, **data):
            self.data = data

        def text(self, name):
            return self.data.get(name) or ""

    assert split_perimeter(Aid(perimeter="Somme (Département)")) == ("departement", "Somme", [])
    assert split_perimeter(Aid(perimeter="Somme", perimeter_scale="Département")) == ("departement", "Somme", [])
    assert split_perimeter(Aid(perimeter="Abbeville (Commune – 80100, 80132)")) == (
        "commune",
        "Abbeville",
        ["80100", "80132"],
    )
    assert split_perimeter(Aid(perimeter="France")) == ("national", "France", [])
    assert split_perimeter(Aid(perimeter="Nord (59)")) == (None, "Nord (59)", [])


def test_one_page_of_a_longer_list_is_imported_with_a_warning(guide, tmp_path):
    data = fixture_data()
    data["count"], data["next"] = 240, "https://aides-territoires.beta.gouv.fr/api/aids/?page=2"
    output = run(write(tmp_path, data))
    assert "Le fichier ne contient qu'une page des résultats (6 aides sur 240)" in output
    assert "créées 5" in output
