"""An editor's journey in the Wagtail admin, in Chromium (issue 10): create a project sheet in French with
French terms only, submit it to moderation, a moderator approves, it is live; the editor translates it
to English with wagtail-localize (facts are not offered), publishes, and the English page shows it."""

import re
import time

import pytest
from django.contrib.auth.models import Group
from django.db import OperationalError
from wagtail_localize.models import OverridableSegment, StringSegment, TranslationSource

from resources.models import ProjectIndexPage, ProjectPage

pytestmark = pytest.mark.browser

PASSWORD = "des-halles-pleines-2026"
TITLE = "Maison du commerce d'Abbeville"
SUMMARY = "Une boutique partagée pour tester de nouveaux commerces en centre-ville."
TITLE_EN = "Abbeville's shop incubator"
SUMMARY_EN = "A shared shop where new retailers try out the town centre."


@pytest.fixture
def site_urls(live_server, settings):
    """Emails (ours and Wagtail's) link to the live server; set before the demo creates the Site record."""
    settings.SITE_BASE_URL = settings.WAGTAILADMIN_BASE_URL = live_server.url
    return live_server.url


@pytest.fixture
def people(site_urls, demo_site, django_user_model):
    editor = django_user_model.objects.create_superuser("redactrice", "redaction@centralites.example", PASSWORD)
    moderator = django_user_model.objects.create_user("moderateur", "moderation@centralites.example", PASSWORD)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    return editor, moderator


def log_in(page, base_url, username):
    page.goto(f"{base_url}/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/admin/$"))


def wait_until(condition, page, timeout_s=30):
    """Polls the database between the browser's requests (SQLite's shared in-memory tables lock while the
    live server writes: a locked read is simply retried)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        page.wait_for_load_state("networkidle")
        try:
            if condition():
                return True
        except OperationalError:
            pass
        page.wait_for_timeout(300)
    raise AssertionError("condition not met in time")


def test_create_moderate_publish_and_translate_a_project_sheet(browser_contexts, site_urls, people, abbeville):
    base = site_urls
    index = ProjectIndexPage.objects.get(locale__language_code="fr")

    # The editor writes the sheet in the French admin.
    page = browser_contexts.new_page(bypass_csp=False, timeout=20_000)
    log_in(page, base, "redactrice")
    page.goto(f"{base}/admin/pages/add/resources/projectpage/{index.pk}/")
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_summary").fill(SUMMARY)
    page.get_by_role("tab", name="Territoire et thèmes").click()
    territory = page.locator("section[id$='territoire-et-themes-section'], [role=tabpanel]:visible").first
    assert "Action cœur de ville" in territory.inner_text()
    assert "(town-centre action plan)" not in page.content()
    assert "Economic and retail development" not in page.content()
    page.get_by_label("Action cœur de ville", exact=True).check()
    page.get_by_label("Développement économique et commercial", exact=True).check()
    # The commune chooser is a search modal; its hidden input carries the chosen commune.
    page.evaluate(f"document.querySelector('#id_commune').value = '{abbeville.pk}'")
    page.evaluate("document.querySelector('button[name=\"action-submit\"]').click()")
    wait_until(lambda: ProjectPage.objects.filter(title=TITLE).exists(), page)
    sheet = ProjectPage.objects.get(title=TITLE)
    wait_until(lambda: ProjectPage.objects.get(pk=sheet.pk).workflow_in_progress, page)
    assert not ProjectPage.objects.get(pk=sheet.pk).live

    # The moderator approves it in the admin.
    moderation = browser_contexts.new_page(bypass_csp=False, timeout=20_000)
    log_in(moderation, base, "moderateur")
    moderation.goto(f"{base}/admin/pages/{sheet.pk}/edit/")
    approve = "button[data-workflow-action-name='approve']:not([data-workflow-action-modal-url])"
    moderation.locator(approve).first.wait_for(state="attached")
    moderation.evaluate(f'document.querySelector("{approve}").click()')
    wait_until(lambda: ProjectPage.objects.get(pk=sheet.pk).live, moderation)

    sheet = ProjectPage.objects.get(pk=sheet.pk)
    assert [(p.slug, p.locale.language_code) for p in sheet.programmes.all()] == [("acv", "fr")]
    page.goto(f"{base}/fr/projetotheque/{sheet.slug}/")
    page.get_by_role("heading", name=TITLE).wait_for()
    assert "Abbeville" in page.content()

    # The editor translates it to English with wagtail-localize.
    page.goto(f"{base}/admin/localize/submit/page/{sheet.pk}/")
    page.locator("input[name=locales]").first.check()
    page.locator("form[method=post] button[type=submit], form[method=post] input[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/"))
    english = ProjectPage.objects.get(translation_key=sheet.translation_key, locale__language_code="en")
    editor_text = page.locator("main, body").first.inner_text()
    assert TITLE in editor_text and SUMMARY in editor_text
    # Facts are synchronised, not offered for translation: no commune id, cost or years to retype.
    assert "Coût total" not in editor_text and "Année de début" not in editor_text
    # The commune is synchronised: the translation source holds no segment for it (a raw id would show there).
    source = TranslationSource.objects.get(object_id=sheet.translation_key)
    assert not OverridableSegment.objects.filter(source=source, context__path__startswith="commune").exists()
    assert not StringSegment.objects.filter(source=source, string__data=str(abbeville.pk)).exists()

    for source, translated in ((TITLE, TITLE_EN), (SUMMARY, SUMMARY_EN)):
        segment = page.locator("li:has(> p)", has_text=source).first
        segment.get_by_role("button", name="Traduire").click()
        segment.locator("textarea").fill(translated)
        segment.get_by_role("button", name="Enregistrer").click()
        segment.get_by_text(translated).wait_for()
    page.get_by_role("button", name=re.compile("^Publier dans")).click()
    wait_until(lambda: ProjectPage.objects.get(pk=english.pk).live, page)

    english = ProjectPage.objects.get(pk=english.pk)
    assert english.commune_id == abbeville.pk and english.total_cost == sheet.total_cost
    assert [(p.slug, p.locale.language_code) for p in english.programmes.all()] == [("acv", "en")]
    page.goto(f"{base}/en/projects/{english.slug}/")
    page.get_by_role("heading", name=TITLE_EN).wait_for()
    assert SUMMARY_EN in page.content()
