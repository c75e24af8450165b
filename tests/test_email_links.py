"""The suite-wide check that every email link is absolute under SITE_BASE_URL (issue 10, point 9)."""

from django.core.mail import EmailMultiAlternatives

from tests.conftest import links_in_email_parts, offending_links, parts_of_django_message


def links_of(message):
    return offending_links(links_in_email_parts(parts_of_django_message(message)), "http://testserver")


def test_absolute_links_under_the_site_pass_and_others_are_reported():
    message = EmailMultiAlternatives(
        subject="Inscription confirmée",
        body="Votre inscription : http://testserver/fr/evenements/inscription/abc/\nhttp://localhost/admin/",
        to=["camille@example.fr"],
        headers={"List-Unsubscribe": "<http://testserver/newsletter/desabonnement/x/>, <mailto:u@example.fr>"},
    )
    message.attach_alternative(
        '<a href="http://testserver/fr/">site</a> <a href="/fr/evenements/">relative</a> '
        '<a href="mailto:contact@example.fr">écrire</a> <img src="http://testserver.evil.example/x.png">',
        "text/html",
    )
    assert links_of(message) == {"http://localhost/admin/", "/fr/evenements/", "http://testserver.evil.example/x.png"}


def test_a_message_with_only_site_links_passes():
    message = EmailMultiAlternatives(subject="s", body="Lien : http://testserver/fr/compte/.", to=["a@example.fr"])
    assert links_of(message) == set()


def test_namespaces_and_doctype_of_an_html_part_are_not_links():
    message = EmailMultiAlternatives(subject="s", body="ok", to=["a@example.fr"])
    message.attach_alternative(
        '<!doctype html><html xmlns="http://www.w3.org/1999/xhtml" xmlns:v="urn:schemas-microsoft-com:vml">'
        '<a href="http://testserver/fr/">ici</a></html>',
        "text/html",
    )
    assert links_of(message) == set()
