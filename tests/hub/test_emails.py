import pytest
from django.core import mail
from django.test import override_settings

from hub.emails import build_email, render_email


@pytest.fixture
def email_templates(tmp_path, settings):
    folder = tmp_path / "emails"
    folder.mkdir()
    (folder / "greeting.mjml").write_text(
        '{% extends "emails/base.mjml" %}{% block content %}<mj-text><h1>Bonjour {{ name }}</h1>'
        '<p><a href="{{ site_base_url }}/fr/">Le site</a></p></mj-text>{% endblock %}'
    )
    (folder / "greeting.txt").write_text(
        '{% extends "emails/base.txt" %}{% block content %}Bonjour {{ name }}{% endblock %}'
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    return folder


@override_settings(SITE_BASE_URL="https://centralites.example")
def test_rendered_html_has_inline_styles_absolute_links_and_an_unescaped_text_part(email_templates, db):
    rendered = render_email("greeting", {"name": "Zoé & <Léa>"})
    # Gmail drops <style> blocks: the link colour must travel on the element itself.
    assert '<a href="https://centralites.example/fr/" style="' in rendered.html
    assert "color: #000091" in rendered.html
    assert "Zoé &amp; &lt;Léa&gt;" in rendered.html
    assert rendered.text.startswith("Bonjour Zoé & <Léa>")
    assert "https://centralites.example/" in rendered.text
    # MJML's responsive rules cannot be inlined: they stay in <head> for the clients that apply them.
    head = rendered.html.split("</head>", 1)[0]
    assert "@media" in head


def test_built_message_has_text_body_html_alternative_and_reply_to(email_templates, db):
    message = build_email(
        to=["a@example.org"], subject="Test", template="greeting", context={"name": "A"}, reply_to=["b@example.org"]
    )
    message.send()
    sent = mail.outbox[-1]
    assert sent.body.startswith("Bonjour A")
    assert sent.alternatives[0][1] == "text/html"
    assert sent.reply_to == ["b@example.org"]
