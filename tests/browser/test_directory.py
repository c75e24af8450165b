"""Joining the network in Chromium: apply, a moderator approves, the email's link sets the password,
the new member logs in, edits the profile and finds it in the directory."""

import re

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def moderator(django_user_model, transactional_db):
    return django_user_model.objects.create_superuser("moderatrice", "moderation@centralites.example", "m" * 16)


def wait_for_mail(smtp_server, recipient, subject, page, timeout_ms=15000):
    for _ in range(timeout_ms // 100):
        for index, item in enumerate(smtp_server.messages):
            if recipient in item["to"] and subject in item["message"]["Subject"]:
                return smtp_server.text_of(index)
        page.wait_for_timeout(100)
    raise AssertionError(f"no email for {recipient}")


def test_apply_approve_activate_log_in_edit_and_appear(browser_page, live_server, demo_site, moderator, smtp_server):
    page = browser_page
    email = "ines.nouvelle@mairie-abbeville.example"
    page.goto(f"{live_server.url}/fr/annuaire/")
    page.get_by_role("link", name="Rejoindre le réseau").click()
    page.locator("#id_first_name").fill("Inès")
    page.locator("#id_last_name").fill("Nouvelle")
    page.locator("#id_email").fill(email)
    page.locator("#id_role").select_option("manager")
    page.locator("#id_job_title").fill("Manageuse de centre-ville")
    page.locator("#id_organisation_name").fill("Ville d'Abbeville")
    page.locator("#id_organisation_kind").select_option("commune")
    page.locator("#id_commune").fill("Abbeville")
    page.locator("#id_motivation").fill("Rencontrer d'autres managers.")
    page.locator("label", has_text="public : visible de tous").click()
    page.locator("label", has_text="J'accepte que mon profil figure").click()
    page.locator("label", has_text="J'ai lu la politique").click()
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.get_by_text("Merci, votre demande est envoyée").wait_for()

    # The moderator approves in the admin.
    page.goto(f"{live_server.url}/admin/login/")
    page.locator("#id_username").fill("moderatrice")
    page.locator("#id_password").fill("m" * 16)
    page.locator("button[type=submit]").click()
    page.goto(f"{live_server.url}/admin/network/application/?status=pending")
    page.get_by_role("link", name=re.compile("Inès Nouvelle")).click()
    page.get_by_role("button", name="Accepter et envoyer le lien d'activation").click()
    page.get_by_text("Demande acceptée").wait_for()
    page.context.clear_cookies()

    # The applicant follows the link from the email received by the SMTP server.
    body = wait_for_mail(smtp_server, email, "activez votre compte", page)
    link = re.search(r"https?://\S+(/fr/compte/activation/\S+/)", body).group(1)
    page.goto(f"{live_server.url}{link}")
    page.locator("#id_new_password1").fill("des-vitrines-pleines-2026")
    page.locator("#id_new_password2").fill("des-vitrines-pleines-2026")
    page.get_by_role("button", name="Activer mon compte").click()
    page.get_by_role("heading", name="Mon profil").wait_for()

    # Log out, then in again with the new password.
    page.locator(".fr-header__tools-links").get_by_role("button", name="Se déconnecter").click()
    page.goto(f"{live_server.url}/fr/compte/connexion/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill("des-vitrines-pleines-2026")
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Mon profil").wait_for()

    page.locator("#id_job_title").fill("Manageuse du commerce et de l'artisanat")
    page.locator("#id_bio").fill("J'anime l'association des commerçants et le marché de Noël.")
    page.get_by_role("button", name="Enregistrer mon profil").click()
    page.get_by_text("Votre profil est enregistré").wait_for()

    # Anyone now finds the public profile in the directory.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/fr/annuaire/?q=Nouvelle")
    page.get_by_role("link", name="Inès Nouvelle").click()
    assert "Manageuse du commerce et de l'artisanat" in page.content()
    assert "marché de Noël" in page.content()
    assert email not in page.content()
