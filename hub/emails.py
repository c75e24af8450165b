"""Transactional and bulk emails: MJML templates rendered to responsive HTML, plus a plain-text part.

Every app builds its emails here so they share one layout (`templates/emails/base.mjml`) and one path:
Django template → MJML (mjml-python) → CSS inlined (css-inline, since MRML ignores `mj-style inline`)
→ `EmailMultiAlternatives` with the text part from the `.txt` template of the same name.
"""

import re
from dataclasses import dataclass

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from mjml import mjml2html

_inliner = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)


@dataclass
class RenderedEmail:
    html: str
    text: str


def email_context(extra=None):
    """What every email template may use: absolute base URL and the operator's name."""
    context = {"site_base_url": settings.SITE_BASE_URL, "operator_name": _operator_name()}
    context.update(extra or {})
    return context


def _operator_name():
    try:
        # Imported here: task modules import this one while the apps load.
        from wagtail.models import Site  # noqa: PLC0415

        from hub.models import OperatorSettings  # noqa: PLC0415

        site = Site.objects.filter(is_default_site=True).first()
        if site is not None:
            return OperatorSettings.for_site(site).operator_name
    except Exception:  # noqa: BLE001 — an email must still go out before the site is set up
        pass
    return "Centralités"


_MEDIA_STYLE = re.compile(r"<style[^>]*>\s*@media.*?</style>", re.S)


def mjml_to_html(source):
    """MJML source to email-ready HTML with every style inlined (Gmail drops <style> blocks), keeping
    MJML's @media rules in <head> for the clients that apply them (the inliner would drop them)."""
    raw = mjml2html(source)
    media = "".join(_MEDIA_STYLE.findall(raw))
    markup = _inliner.inline(raw)
    return markup.replace("</head>", f"{media}</head>", 1) if media else markup


def render_email(template, context=None, language=None):
    """Renders `emails/<template>.mjml` and `emails/<template>.txt` in `language` (French by default)."""
    context = email_context(context)
    with translation.override(language or settings.LANGUAGE_CODE):
        source = render_to_string(f"emails/{template}.mjml", context)
        text = render_to_string(f"emails/{template}.txt", context)
    return RenderedEmail(html=mjml_to_html(source), text=text.strip() + "\n")


def build_email(
    *, to, subject, template, context=None, language=None, reply_to=None, headers=None, attachments=(), from_email=None
):
    """An `EmailMultiAlternatives` ready to send (text body, HTML alternative, attachments)."""
    rendered = render_email(template, context, language)
    message = EmailMultiAlternatives(
        subject=subject,
        body=rendered.text,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=list(to),
        reply_to=list(reply_to) if reply_to else None,
        headers=headers or {},
    )
    message.attach_alternative(rendered.html, "text/html")
    for attachment in attachments:
        message.attach(*attachment)
    return message


def send_email(**kwargs):
    """Builds and sends one email; returns the number of messages sent (0 or 1)."""
    return build_email(**kwargs).send()
