"""An English visitor who follows every link from /en/ never leaves /en/ for an item that has an English
translation (issue 10, "How it is checked", and point 5)."""

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from wagtail.models import Locale, Page

from events.models import EventPage
from newsletter.models import IssueSend, NewsletterIssuePage
from resources.models import ProjectPage, ResourcePage

pytestmark = pytest.mark.django_db

LINK = re.compile(r"""(?:href|src)=["']([^"'#]+)""")
FEED_LINK = re.compile(r"<link>([^<]+)</link>")
SKIP = ("/admin/", "/static/", "/media/", "/documents/", "/django-admin/", "/api/")
MAX_URLS = 800


@pytest.fixture
def english_demo(abbeville):
    call_command("load_demo", "--projects", "6", "--resources", "4", "--events", "4", "--members", "6",
                 "--subscribers", "3", "--no-index", verbosity=0)  # fmt: skip

    en = Locale.objects.get(language_code="en")
    fr = Locale.objects.get(language_code="fr")
    translated = []
    sent_issues = NewsletterIssuePage.objects.filter(pk__in=IssueSend.objects.values("issue_id"))
    for items, count in (
        (ProjectPage.objects.all(), 2),
        (ResourcePage.objects.all(), 1),
        (EventPage.objects.all(), 1),
        (sent_issues, 1),  # the archive lists sent issues only
    ):
        for page in items.live().public().filter(locale=fr).order_by("-first_published_at")[:count]:
            if page.get_translation_or_none(en) is not None:
                continue
            copy = page.copy_for_translation(en)
            copy.title = f"{page.title} (English)"
            copy.save_revision().publish()
            translated.append(copy)
    assert translated, "the demo should hold items to translate"
    return translated


def is_page_path(path):
    return not path.startswith(SKIP) and not re.search(r"\.(css|js|png|jpe?g|svg|webp|ico|woff2?|ics|csv|json)$", path)


def crawl_english(client):
    """Every /en/ page reachable from /en/ (listing pages once per page number): {url: [links leaving /en/]}."""
    # From the home page and every English page the sitemap lists (some are in no menu).
    sitemap = client.get("/sitemap.xml").content.decode()
    start = ["/en/"] + [
        path
        for path in (urlsplit(loc).path for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap))
        if path.startswith("/en/")
    ]
    start = list(dict.fromkeys(start))
    seen, queue, leaving = set(start), deque(start), {}
    while queue and len(seen) < MAX_URLS:
        url = queue.popleft()
        response = client.get(url)
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        if response.status_code in (301, 302):
            found = [response["Location"]]
        elif response.status_code != 200:
            continue
        else:
            body = b"".join(response.streaming_content) if response.streaming else response.content
            text = body.decode("utf-8", "replace")
            found = LINK.findall(text) + FEED_LINK.findall(text)
        for link in found:
            parts = urlsplit(urljoin("http://testserver" + url, link.replace("&amp;", "&")))
            if parts.netloc not in ("", "testserver") or not is_page_path(parts.path):
                continue
            if not parts.path.startswith("/en/"):
                leaving.setdefault(url, []).append(parts.path)
                continue
            # Facet combinations are endless: follow plain pages, pages of results and the past agenda.
            query = parts.query
            if query and not re.fullmatch(r"(quand=passes)?&?(page=\d+)?", query):
                continue
            target = parts.path + (f"?{query}" if query else "")
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen, leaving


def test_english_crawl_never_leaves_en_for_a_translated_item(client, english_demo):
    fr = Locale.objects.get(language_code="fr")
    french_urls = {}
    for translation in english_demo:
        original = Page.objects.get(translation_key=translation.translation_key, locale=fr)
        french_urls[original.url] = translation.url
    seen, leaving = crawl_english(client)
    assert len(seen) > 20
    # The translations themselves were reached.
    assert {url for url in french_urls.values()} <= {u.split("?")[0] for u in seen}, sorted(french_urls.values())
    english_of = {english: french for french, english in french_urls.items()}
    wrong = sorted(
        f"{page} → {target} (has {french_urls[target]})"
        for page, targets in leaving.items()
        for target in targets
        # A translation may link to its own original (the language switcher, hreflang alternates).
        if target in french_urls and english_of.get(page.split("?")[0]) != target
    )
    assert not wrong, "\n".join(wrong)
