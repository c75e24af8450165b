"""Quality gates every page type inherits: axe-core (WCAG 2.1 AA) and the Nu HTML checker.

The pages are found from the page tree — one live page of each specific page type, in each language —
so a page type added later is checked without editing this test.
"""

import json
import subprocess

import pytest
from wagtail.models import Page

from hub.models import EPCI, Commune
from network.models import Member, Visibility
from resources.models import AidPage

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}


def one_page_per_type_and_language():
    seen = {}
    for page in Page.objects.live().public().filter(depth__gt=1).order_by("path").specific():
        key = (type(page).__name__, page.locale.language_code)
        seen.setdefault(key, page.url)
    return seen


def extra_views():
    """Views that are not pages but every visitor meets."""

    views = {
        ("search", "fr"): "/fr/recherche/?q=centre",
        ("search", "en"): "/en/search/?q=centre",
        ("not-found", "fr"): "/fr/page-inexistante/",
        ("membership-application", "fr"): "/fr/annuaire/adherer/",
        ("login", "fr"): "/fr/compte/connexion/",
        ("login", "en"): "/en/account/login/",
        ("password-reset", "fr"): "/fr/compte/mot-de-passe/",
    }
    profile = Member.objects.listed().filter(visibility=Visibility.PUBLIC).order_by("pk").first()
    if profile is not None:
        views[("member-profile", "fr")] = f"/fr/annuaire/{profile.slug}/"
        views[("member-profile", "en")] = f"/en/directory/{profile.slug}/"
    return views


def test_every_page_type_passes_axe_and_the_html_checker(
    browser_page, live_server, demo_site, axe_source, vnu_command, tmp_path
):
    targets = {**one_page_per_type_and_language(), **extra_views()}
    page_types = {kind for kind, _lang in targets}
    assert {"HomePage", "StandardPage"} <= page_types
    assert {lang for _kind, lang in targets} == {"fr", "en"}
    check_pages(browser_page, live_server, targets, axe_source, vnu_command, tmp_path)


def test_member_pages_pass_axe_and_the_html_checker(
    browser_page, live_server, demo_site, axe_source, vnu_command, tmp_path, client, settings
):
    """What a logged-in member meets: own profile form and preview, deletion, proposing a project."""

    member = Member.objects.listed().order_by("pk").first()
    client.force_login(member.user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    browser_page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    targets = {
        ("profile-edit", "fr"): "/fr/compte/profil/",
        ("profile-preview", "fr"): "/fr/compte/profil/apercu/",
        ("account-deletion", "fr"): "/fr/compte/suppression/",
        ("password-change", "fr"): "/fr/compte/mot-de-passe/changer/",
        ("project-proposal", "fr"): "/fr/projetotheque/proposer/",
        ("directory-as-member", "fr"): "/fr/annuaire/",
    }
    check_pages(browser_page, live_server, targets, axe_source, vnu_command, tmp_path)


def check_pages(browser_page, live_server, targets, axe_source, vnu_command, tmp_path):
    violations = []
    html_files = {}
    for (kind, lang), path in sorted(targets.items()):
        response = browser_page.goto(f"{live_server.url}{path}")
        expected = 404 if kind == "not-found" else 200
        assert response is not None and response.status == expected, f"{path}: {response and response.status}"
        html_file = tmp_path / f"{kind}-{lang}.html"
        html_file.write_bytes(response.body())
        html_files[str(html_file)] = path

        browser_page.add_script_tag(content=axe_source)
        result = browser_page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            AXE_TAGS,
        )
        for violation in result["violations"]:
            if violation["impact"] in BLOCKING_IMPACTS:
                targets_hit = [", ".join(node["target"]) for node in violation["nodes"][:3]]
                violations.append(
                    f"{path} [{violation['impact']}] {violation['id']}: {violation['help']} {targets_hit}"
                )
    assert not violations, "axe-core found blocking WCAG 2.1 AA violations:\n" + "\n".join(violations)

    checked = subprocess.run(
        [*vnu_command, "--errors-only", "--format", "json", *html_files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(checked.stderr or checked.stdout or '{"messages": []}')["messages"]
    errors = [
        f"{html_files.get(m.get('url', '').removeprefix('file:'), m.get('url'))}:{m.get('lastLine')} {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert not errors, "The Nu HTML checker found errors:\n" + "\n".join(errors)


def test_territory_pages_pass_axe_and_the_html_checker(
    browser_page, live_server, demo_site, abbeville, axe_source, vnu_command, tmp_path
):
    """Issue 12, point 8: every kind of territory page and the index, with their maps, in both languages."""
    baie = EPCI.objects.create(siren="200070993", name="CA de la Baie de Somme", kind=EPCI.Kind.CA)
    Commune.objects.filter(pk=abbeville.pk).update(epci=baie)
    targets = {
        ("territory-index", "fr"): "/fr/territoires/",
        ("territory-search", "en"): "/en/territories/?q=abbeville",
        ("territory-commune", "fr"): "/fr/territoires/communes/80001-abbeville/",
        ("territory-commune", "en"): "/en/territories/communes/80001-abbeville/",
        ("territory-epci", "fr"): "/fr/territoires/intercommunalites/200070993-ca-de-la-baie-de-somme/",
        ("territory-departement", "fr"): "/fr/territoires/departements/80-somme/",
        ("territory-region", "en"): "/en/territories/regions/32-hauts-de-france/",
    }
    check_pages(browser_page, live_server, targets, axe_source, vnu_command, tmp_path)


def test_aid_pages_pass_axe_and_the_html_checker(
    browser_page, live_server, demo_site, axe_source, vnu_command, tmp_path
):
    """Issue 13, point 8: the guide's listing for a commune and an aid page with its criteria, both languages."""
    aid = AidPage.objects.live().filter(locale__language_code="fr").order_by("pk").first()
    targets = {
        ("aid-listing-commune", "fr"): "/fr/aides/?commune=80001",
        ("aid-listing-why", "fr"): "/fr/aides/?commune=80001&pourquoi=1",
        ("aid-listing-unknown", "fr"): "/fr/aides/?lieu=zzzz",
        ("aid-listing-why", "en"): "/en/funding/?commune=80001&pourquoi=1",
        ("aid-listing-closed", "en"): "/en/funding/?statut=close",
        ("aid-page-commune", "fr"): f"{aid.url}?commune=80001",
    }
    check_pages(browser_page, live_server, targets, axe_source, vnu_command, tmp_path)
