"""Issue 10 in Chromium, the directory's part: an English visitor joins and edits the profile in English
(point 7), and a form's errors are summarised with links that focus each field (point 11)."""

import re

import pytest

from tests.browser.test_directory import wait_for_mail

pytestmark = pytest.mark.browser


@pytest.fixture
def moderator(django_user_model, transactional_db):
    return django_user_model.objects.create_superuser("moderatrice", "moderation@centralites.example", "m" * 16)


@pytest.fixture
def english_page(browser_contexts):
    """A visitor whose browser asks for English."""
    return browser_contexts.new_page(locale="en-GB", bypass_csp=False)


@pytest.fixture
def french_page(browser_contexts):
    return browser_contexts.new_page(bypass_csp=False)


def test_an_english_visitor_joins_is_accepted_and_edits_the_profile_in_english(
    english_page, french_page, live_server, demo_site, moderator, smtp_server
):
    page = english_page
    email = "emma.english@town-abbeville.example"
    page.goto(f"{live_server.url}/en/directory/")
    page.get_by_role("link", name="Join the network").click()
    assert page.url.endswith("/en/directory/apply/")
    page.locator("#id_first_name").fill("Emma")
    page.locator("#id_last_name").fill("English")
    page.locator("#id_email").fill(email)
    page.locator("#id_role").select_option("manager")
    page.locator("#id_job_title").fill("Town-centre manager")
    page.locator("#id_organisation_name").fill("Town of Abbeville")
    page.locator("#id_organisation_kind").select_option("commune")
    page.locator("#id_commune").fill("Abbev")
    # The suggestions come from the autocomplete endpoint while typing.
    page.locator("datalist#id_commune-suggestions option[value='Abbeville (80)']").wait_for(state="attached")
    page.locator("#id_commune").fill("Abbeville (80)")
    page.locator("#id_motivation").fill("Meet other town-centre managers.")
    page.locator("label", has_text="public").first.click()
    page.locator("label[for=id_consent_to_appear]").click()
    page.locator("label[for=id_accept_terms]").click()
    page.get_by_role("button", name="Send my application").click()
    page.get_by_text("Thank you, your application has been sent").wait_for()
    wait_for_mail(smtp_server, email, "We have received your membership application", page)

    # A moderator accepts it in the admin.
    admin = french_page
    admin.goto(f"{live_server.url}/admin/login/")
    admin.locator("#id_username").fill("moderatrice")
    admin.locator("#id_password").fill("m" * 16)
    admin.locator("button[type=submit]").click()
    admin.goto(f"{live_server.url}/admin/network/application/?status=pending")
    admin.get_by_role("link", name=re.compile("Emma English")).click()
    admin.get_by_role("button", name="Accepter et envoyer le lien d'activation").click()
    admin.get_by_text("Demande acceptée").wait_for()

    # The English activation email, from the local SMTP server, links under /en/.
    body = wait_for_mail(smtp_server, email, "Welcome to the network: activate your account", page)
    link = re.search(r"https?://\S+(/en/account/activation/\S+/)", body).group(1)
    page.goto(f"{live_server.url}{link}")
    page.locator("#id_new_password1").fill("full-shop-windows-2026")
    page.locator("#id_new_password2").fill("full-shop-windows-2026")
    page.get_by_role("button", name="Activate my account").click()
    page.get_by_role("heading", name="My profile").wait_for()
    assert "/en/account/profile/" in page.url

    # Log out, log in again in English.
    page.locator(".fr-header__tools-links").get_by_role("button", name="Log out").click()
    page.goto(f"{live_server.url}/en/account/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill("full-shop-windows-2026")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="My profile").wait_for()
    assert page.locator("#id_commune_input").input_value() == "Abbeville (80)"
    page.locator("#id_job_title").fill("Town-centre and trade manager")
    page.locator("#id_bio").fill("I run the traders' association and the Christmas market.")
    page.get_by_role("button", name="Save my profile").click()
    page.get_by_text("Your profile has been saved").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"


def test_an_empty_application_shows_a_summary_whose_links_focus_the_fields(french_page, live_server, demo_site):
    page = french_page
    page.goto(f"{live_server.url}/fr/annuaire/adherer/")
    assert page.locator("label[for=id_commune]").inner_text().startswith("Commune de rattachement (facultatif)")
    page.get_by_role("button", name="Envoyer ma demande").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert "Le formulaire contient" in summary.inner_text()
    # The page moved to the summary: it has the focus.
    page.wait_for_function("document.activeElement && document.activeElement.hasAttribute('data-error-summary')")
    summary.get_by_role("link", name=re.compile("^Fonction")).click()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_job_title'")
    summary.get_by_role("link", name=re.compile("^Ce que vous attendez")).click()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_motivation'")
