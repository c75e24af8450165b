"""An anonymous crawl of the whole demo site finds no hidden member and no member's email anywhere."""

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from network.models import Member, Visibility

pytestmark = pytest.mark.django_db

LINK = re.compile(r"""(?:href|src)=["']([^"'#]+)""")
XML_LOC = re.compile(r"<loc>([^<]+)</loc>")
JSON_URL = re.compile(r'"(?:html_url|detail_url|url)":\s*"([^"]+)"')
SKIP = ("/admin/", "/static/", "/media/", "/documents/", "/django-admin/")
MAX_URLS = 1500


@pytest.fixture
def demo(abbeville):
    call_command("load_demo", "--projects", "6", "--resources", "4", "--events", "4", "--members", "30",
                 "--subscribers", "10", "--no-index", verbosity=0)  # fmt: skip
    call_command("update_index", verbosity=0)


def crawl(client, start):
    seen, queue, pages = set(start), deque(start), {}
    while queue and len(seen) < MAX_URLS:
        url = queue.popleft()
        response = client.get(url)
        if response.streaming:
            body = b"".join(response.streaming_content).decode("utf-8", "replace")
        else:
            body = response.content.decode("utf-8", "replace")
        pages[url] = (response.status_code, body)
        if response.status_code in (301, 302):
            found = [response["Location"]]
        else:
            found = LINK.findall(body) + XML_LOC.findall(body) + JSON_URL.findall(body)
        for link in found:
            parts = urlsplit(urljoin(url, link.replace("&amp;", "&")))
            if parts.netloc not in ("", "testserver") or parts.path.startswith(SKIP):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return pages


def test_anonymous_crawl_shows_no_hidden_member_and_no_email(client, demo):
    members = list(Member.objects.select_related("user"))
    listed_public = [m for m in Member.objects.listed().filter(visibility=Visibility.PUBLIC)]
    not_public = [m for m in members if m not in listed_public]
    assert listed_public and any(m.visibility == Visibility.HIDDEN for m in members)
    assert any(m.visibility == Visibility.MEMBERS for m in members)
    assert any(not m.consent_to_appear for m in members)
    emails = list(get_user_model().objects.exclude(email="").values_list("email", flat=True))

    start = ["/", "/fr/", "/en/", "/sitemap.xml", "/robots.txt", "/api/v2/pages/?limit=100", "/fr/annuaire/"]
    # Searches that would find the people who must stay invisible, if anything leaked.
    for member in not_public[:5]:
        start += [f"/fr/recherche/?q={member.last_name}", f"/fr/annuaire/?q={member.last_name}"]
    start += ["/fr/projetotheque/export.csv", "/fr/projetotheque/export.json", "/fr/projetotheque/flux.xml"]
    pages = crawl(client, start)

    assert len(pages) > 50
    assert not [url for url, (status, _body) in pages.items() if status >= 500]
    crawled_profiles = {url for url in pages if url.startswith("/fr/annuaire/") and url.count("/") == 4}
    assert {f"/fr/annuaire/{m.slug}/" for m in listed_public} <= crawled_profiles | {url.split("?")[0] for url in pages}
    for url, (_status, body) in pages.items():
        for member in not_public:
            assert member.full_name not in body, f"{member.full_name} ({member.visibility}) appears on {url}"
        for email in emails:
            assert email not in body, f"an account's email appears on {url}"
