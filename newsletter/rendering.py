"""An issue rendered for the web archive and for email: its sections, MJML → HTML, and a plain-text part.

The three automatic blocks (featured projects, upcoming events, new resources) are filled here from the
site, relative to the issue: what was published since the previous issue, and what was upcoming when the
issue was sent (or now, for an issue not sent yet), so an archived issue keeps showing what it said.
"""

import datetime
import html
import re
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import strip_tags
from wagtail.models import Locale
from wagtail.rich_text import expand_db_html

from events.models import EventPage
from hub.emails import email_context, mjml_to_html
from newsletter.models import IssueRendering, NewsletterIssuePage
from resources.models import ProjectPage, ResourcePage

# Stands for a recipient's personal token in the rendered issue; letters only, so no encoding touches it.
TOKEN_PLACEHOLDER = "XNLTOKENPLACEHOLDERX"
UNSUBSCRIBE_PATH = "/newsletter/desabonnement/{token}/"
CONFIRM_PATH = "/newsletter/confirmer/{token}/"


def unsubscribe_url(token):
    return f"{settings.SITE_BASE_URL}{UNSUBSCRIBE_PATH.format(token=token)}"


def absolute(url):
    if not url:
        return ""
    return url if url.startswith(("http://", "https://")) else f"{settings.SITE_BASE_URL}{url}"


@dataclass
class Item:
    title: str
    url: str
    summary: str = ""
    meta: str = ""

    @property
    def absolute_url(self):
        return absolute(self.url)


@dataclass
class Section:
    kind: str
    value: object
    items: list = field(default_factory=list)
    image_url: str = ""


def _localized(page):
    try:
        return page.localized
    except Exception:  # noqa: BLE001 — a page without translations is its own localized version
        return page


def as_of(issue):
    """The moment an issue's automatic blocks are computed for: its send; before it, its planned send date (the
    issue's date) or now, whichever is later."""
    send = None
    if issue.pk:
        try:
            send = source_issue(issue).send
        except Exception:  # noqa: BLE001 — RelatedObjectDoesNotExist: not sent yet
            send = None
    if send is not None:
        return send.started_at
    now = timezone.now()
    planned = getattr(issue, "issue_date", None)
    if planned:
        planned = timezone.make_aware(datetime.datetime(planned.year, planned.month, planned.day))
        return max(now, planned)
    return now


def since(issue):
    previous = issue.previous_issue() if issue.pk else None
    if previous is None:
        return None
    day = previous.issue_date
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day))


def featured_projects(value, issue, moment):
    chosen = [p.specific for p in (value.get("projects") or []) if p is not None and p.live]
    if not chosen:
        queryset = (
            ProjectPage.objects.live().public().filter(locale__language_code="fr", first_published_at__lte=moment)
        )
        start = since(issue)
        recent = queryset.filter(first_published_at__gte=start) if start else queryset
        count = value["count"]
        chosen = list(recent.select_related("commune").order_by("-first_published_at")[:count])
        if not chosen:
            chosen = list(queryset.select_related("commune").order_by("-first_published_at")[:count])
    items = []
    for page in chosen:
        local = _localized(page)
        commune = getattr(page, "commune", None)
        items.append(Item(local.title, local.url or "", getattr(local, "summary", ""), commune.name if commune else ""))
    return items


def upcoming_events(value, issue, moment):
    """Events still to come at `moment` (the issue's send): started ones are not announced."""
    events = (
        EventPage.objects.live()
        .public()
        .filter(locale__language_code=settings.LANGUAGE_CODE, start__gte=moment)
        .order_by("start", "pk")[: value["count"]]
    )
    items = []
    for event in events:
        local = _localized(event)
        start = timezone.localtime(event.start)
        place = event.place_label()
        items.append(Item(local.title, local.url or "", "", " · ".join(x for x in (_date(start), place) if x)))
    return items


def _date(moment):
    return date_format(moment, "j F Y, H:i")


def new_resources(value, issue, moment):
    queryset = ResourcePage.objects.live().public().filter(locale__language_code="fr", first_published_at__lte=moment)
    start = since(issue)
    if start:
        queryset = queryset.filter(first_published_at__gte=start)
    items = []
    for page in queryset.order_by("-first_published_at")[: value["count"]]:
        local = _localized(page)
        items.append(Item(local.title, local.url or "", local.summary, page.get_resource_type_display()))
    return items


AUTOMATIC = {
    "featured_projects": featured_projects,
    "upcoming_events": upcoming_events,
    "new_resources": new_resources,
}


def sections(issue):
    """The issue's blocks with the items of the automatic ones, in the active language."""
    moment = as_of(issue)
    result = []
    for block in issue.body:
        section = Section(block.block_type, block.value)
        if block.block_type in AUTOMATIC:
            section.items = AUTOMATIC[block.block_type](block.value, issue, moment)
        elif block.block_type == "image" and block.value.get("image"):
            section.image_url = absolute(block.value["image"].get_rendition("width-1120").url)
        elif block.block_type == "call_to_action":
            page = block.value.get("page")
            section.items = [Item(block.value["button_label"], _localized(page).url if page else block.value["url"])]
        result.append(section)
    return result


_RELATIVE_LINK = re.compile(r'(href|src)="/(?!/)')


def _absolute_links(markup):
    return _RELATIVE_LINK.sub(lambda m: f'{m.group(1)}="{settings.SITE_BASE_URL}/', markup)


_LINE_BREAK_AFTER = re.compile(r"(</(?:tr|td|table|p|div|h1|h2|li)>|-->)")


def short_lines(markup):
    """Line breaks after closing block tags: SMTP lines stop at 998 characters, and without long lines the
    HTML part travels unencoded (8bit), which keeps the per-recipient placeholder whole."""
    return _LINE_BREAK_AFTER.sub(r"\1\n", markup)


_LINK = re.compile(r'<a\s[^>]*href="([^"]+)"[^>]*>(.*?)</a>', re.S)
_BLOCK_END = re.compile(r"</(p|li|h[1-6]|ul|ol)>|<br\s*/?>", re.I)


def richtext_to_text(value):
    """Rich text to readable plain text: paragraphs on their own lines, links as « text (url) »."""
    markup = _absolute_links(expand_db_html(str(getattr(value, "source", value))))
    markup = _LINK.sub(lambda m: f"{strip_tags(m.group(2))} ({m.group(1)})", markup)
    markup = re.sub(r"<li[^>]*>", "- ", markup)
    markup = _BLOCK_END.sub("\n", markup)
    text = html.unescape(strip_tags(markup))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


@dataclass
class RenderedIssue:
    subject: str
    html: str
    text: str
    web_url: str
    seconds: float


def render(issue, language, token=TOKEN_PLACEHOLDER):
    """The issue as email (HTML with inlined CSS + text), in `language`, for `token`'s unsubscribe link."""
    started = time.perf_counter()
    with translation.override(language):
        web_url = absolute(issue.url or "")
        context = email_context(
            {
                "issue": issue,
                "sections": sections(issue),
                "unsubscribe_url": unsubscribe_url(token),
                "web_url": web_url,
            }
        )
        source = render_to_string("emails/newsletter_issue.mjml", context)
        text = render_to_string("emails/newsletter_issue.txt", context)
    markup = short_lines(_absolute_links(mjml_to_html(source)))
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return RenderedIssue(issue.subject, markup, text, web_url, time.perf_counter() - started)


def preview_html(issue):
    """The email as the admin's preview shows it (the unsubscribe link goes nowhere personal)."""
    return render(issue, issue.locale.language_code, token="apercu").html


def source_issue(issue):
    """Sends, deliveries and figures belong to the issue in the site's default language."""
    default = Locale.get_default()
    if issue.locale_id == default.pk:
        return issue
    return issue.get_translation_or_none(default) or issue


def ensure_renderings(issue):
    """One stored rendering per language of the live issue, re-rendered only when its revision changed."""
    issue = source_issue(issue)
    # Fresh from the database: what is rendered is what is published, whatever the caller holds in memory.
    versions = {
        page.locale.language_code: page
        for page in NewsletterIssuePage.objects.filter(translation_key=issue.translation_key)
        .live()
        .select_related("locale")
    }
    renderings = {}
    for language, page in versions.items():
        revision_id = page.live_revision_id
        existing = IssueRendering.objects.filter(issue=issue, language=language).first()
        if existing and existing.revision_id == revision_id and revision_id is not None:
            renderings[language] = existing
            continue
        rendered = render(page, language)
        renderings[language], _created = IssueRendering.objects.update_or_create(
            issue=issue,
            language=language,
            defaults={
                "revision_id": revision_id,
                "subject": rendered.subject,
                "html": rendered.html,
                "text": rendered.text,
                "web_url": rendered.web_url,
                "render_seconds": rendered.seconds,
            },
        )
    return renderings
