#!/usr/bin/env python3
"""Production smoke test: the site as `hub.settings.production` serves it, behind gunicorn.

In a temporary folder: a SQLite database (migrate, import_territories, a small load_demo), a Redis
(production refuses a per-process cache), collectstatic with WhiteNoise's manifest storage, then
gunicorn on a free local port. Plain http is allowed only by HUB_ALLOW_PLAIN_HTTP, a test-only
setting. Every page type (French and English), its file routes (feeds, exports, .ics), the crawler
files and /healthz/ must answer 200, and so must every stylesheet a page links to.

Usage: .venv/bin/python .ci/production_smoke.py   (exit status 0 when everything answered 200)
"""

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")

# Printed as JSON by `manage.py shell` under the production settings: one URL per page type and
# language, and the sub-routes and files the pages answer.
URLS_SCRIPT = r"""
import json
from wagtail.models import Page, get_page_models
from events.models import EventPage
from network.models import Member

urls = {}
for model in get_page_models():
    if model is Page or model._meta.abstract:
        continue
    for code in ("fr", "en"):
        page = model.objects.live().public().filter(locale__language_code=code).order_by("path").first()
        if page is not None and page.url:
            urls[f"{model.__name__} ({code})"] = page.url
for code in ("fr", "en"):
    event = EventPage.objects.live().public().filter(locale__language_code=code).order_by("path").first()
    if event is not None:
        urls[f"registration form ({code})"] = event.registration_path()
        urls[f"evenement.ics ({code})"] = event.url + event.reverse_subpage("ics")
member = Member.objects.listed().filter(visibility="public").order_by("pk").first()
print(json.dumps({"urls": urls, "member": member.slug if member else None}))
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(args, env, **kwargs):
    started = time.monotonic()
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        sys.stdout.write(result.stdout[-4000:])
        sys.stderr.write(result.stderr[-4000:])
        raise SystemExit(f"production smoke: `{' '.join(args[1:3])}` failed ({result.returncode})")
    print(f"   {' '.join(a for a in args[1:4] if not a.startswith('--'))}: {time.monotonic() - started:.1f}s")
    return result.stdout


def wait_for(url, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"production smoke: the server stopped ({process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise SystemExit(f"production smoke: {url} did not answer within {timeout}s")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(url):
    try:
        with OPENER.open(url, timeout=30) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def main():
    # In memory when the machine has a tmpfs: migrating SQLite is mostly waiting for the disk.
    shm = Path("/dev/shm")
    work = Path(tempfile.mkdtemp(prefix="centralites-smoke-", dir=shm if shm.is_dir() else None))
    port, redis_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "hub.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "STATIC_ROOT": str(work / "static"),
            "MEDIA_ROOT": str(work / "media"),
            "SITE_BASE_URL": base,
            "EMAIL_URL": "consolemail://",
            "ELASTICSEARCH_URL": "",
            "HUB_ALLOW_PLAIN_HTTP": "true",  # test-only: no https redirect, no secure-only cookies
        }
    )
    redis = gunicorn = None
    failures = []
    try:
        redis_server = shutil.which("redis-server")
        if redis_server is None:
            raise SystemExit("production smoke: redis-server is missing (apt-get install redis-server)")
        redis = subprocess.Popen(
            [redis_server, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        print("== production smoke: database, demo, static files")
        manage = [PYTHON, "manage.py"]
        # collectstatic needs no database: it runs beside the migrations (two cores on CI).
        collect = subprocess.Popen(
            [*manage, "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        run([*manage, "migrate", "--noinput", "-v", "0"], env)
        run([*manage, "import_territories", "-v", "0"], env)
        demo = ["--projects", "4", "--resources", "3", "--events", "3", "--members", "5", "--subscribers", "5"]
        run([*manage, "load_demo", *demo, "-v", "0"], env)
        output, _ = collect.communicate()
        if collect.returncode != 0:
            sys.stdout.write(output[-4000:])
            raise SystemExit(f"production smoke: collectstatic failed ({collect.returncode})")
        found = json.loads(run([*manage, "shell", "-c", URLS_SCRIPT], env).strip().splitlines()[-1])

        print(f"== production smoke: gunicorn on {base}")
        gunicorn = subprocess.Popen(
            [GUNICORN, "hub.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2"],
            cwd=ROOT,
            env=env,
            stdout=open(work / "gunicorn.log", "w"),  # noqa: SIM115  (closed with the process)
            stderr=subprocess.STDOUT,
        )
        wait_for(f"{base}/healthz/", gunicorn)

        urls = dict(found["urls"])
        listings = {
            "fr": ("/fr/projetotheque/", "/fr/evenements/"),
            "en": (urls.get("ProjectIndexPage (en)", ""), urls.get("EventIndexPage (en)", "")),
        }
        for code, (projects, agenda) in listings.items():
            if projects:
                for name in ("export.csv", "export.json", "flux.xml"):
                    urls[f"{name} ({code})"] = f"{projects}{name}"
            if agenda:
                urls[f"calendrier.ics ({code})"] = f"{agenda}calendrier.ics"
        for code in ("fr", "en"):
            directory = urls.get(f"MemberIndexPage ({code})")
            if directory and found["member"]:
                urls[f"profile ({code})"] = f"{directory}{found['member']}/"
        urls.update(
            {
                "search (fr)": "/fr/recherche/?q=centre",
                "search (en)": "/en/search/?q=town",
                "sitemap.xml": "/sitemap.xml",
                "robots.txt": "/robots.txt",
                "healthz": "/healthz/",
            }
        )
        expected = ["HomePage", "StandardPage", "ProjectIndexPage", "ProjectPage", "ResourceIndexPage"]
        expected += ["ResourcePage", "EventIndexPage", "EventPage", "MemberIndexPage", "NewsletterIndexPage"]
        expected += ["NewsletterIssuePage"]
        for model in expected:
            if f"{model} ({'fr'})" not in urls:
                failures.append(f"no live {model} in French to fetch")
            if f"{model} ({'en'})" not in urls:  # the demo translates the sections, not every item
                print(f"   (no English {model} in the demo: its French one stands for both)")

        stylesheets = set()
        for label, path in sorted(urls.items()):
            status, content_type, body = fetch(base + path)
            print(f"   {status} {path}  ({label})")
            if status != 200:
                failures.append(f"{status} {path} ({label})")
                continue
            if content_type.startswith("text/html"):
                for href in re.findall(rb'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', body):
                    stylesheets.add(href.decode())
        if not stylesheets:
            failures.append("no stylesheet linked by any page")
        for href in sorted(stylesheets):
            status, _type, _body = fetch(href if href.startswith("http") else base + href)
            print(f"   {status} {href}")
            if status != 200:
                failures.append(f"{status} {href} (stylesheet)")
    finally:
        for process in (gunicorn, redis):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
        if failures and (work / "gunicorn.log").exists():
            sys.stdout.write((work / "gunicorn.log").read_text()[-6000:])
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print("== production smoke: FAILED")
        for failure in failures:
            print(f"   {failure}")
        return 1
    print(f"== production smoke: {len(urls)} URLs and {len(stylesheets)} stylesheets answered 200")
    return 0


if __name__ == "__main__":
    sys.exit(main())
