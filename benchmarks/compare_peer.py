#!/usr/bin/env python3
"""Our pages at 1,000 and 10,000 items beside a peer site's blog, interleaved, behind gunicorn.

    .venv/bin/python benchmarks/compare_peer.py [--runs 15] [--load]
        [--peer-url-1k http://127.0.0.1:8701 --peer-url-10k http://127.0.0.1:8702 | --peer-url BASE | --no-peer]
        [--peer-index /actualites/] [--peer-entry /actualites/article-500/]

Ours: two PostgreSQL databases, `centralites_bench_1k` (load_demo --members 500 --projects 1000) and
`centralites_bench_10k` (load_demo --members 5000 --projects 10000), reused when present (migrated to the code measured); `--load` drops
and rebuilds both from the template `centralites_bench_tpl` (migrated, territories imported), then
migrates and runs load_demo. ANALYZE runs on both before measuring (this server has autovacuum off), and
on the peer's databases (`--peer-databases`) when they exist on the same server.

Each of our databases is served by its own gunicorn (1 sync worker) with `hub.settings.production`, as
`.ci/production_smoke.py` starts it: static files collected into a temporary folder, a private
redis-server on a free port, plain http allowed by HUB_ALLOW_PLAIN_HTTP, DEBUG off.

Uncached: every page of ours is requested with a logged-in member's session, which the anonymous
response cache never serves. The session is created with Django's SessionStore in the database of
each size by a `manage.py shell` run under the same settings and SECRET_KEY as that gunicorn (not
through the login form, so the login lockout and rate limits play no part). The page chrome cache
stays warm, as it is for any visitor after the first.
The project, event and profile pages, which the response cache never holds, are measured a second
time anonymously ("…, anonymous"), as the peer is: no session, account or permission lookups; any of
those responses marked X-Hub-Cache stops the script.

The peer (e.g. Sites Faciles, started separately on the two ports) is requested anonymously: its blog
index stands beside our listings, its blog entry beside our detail pages. In each row the requests are
interleaved — ours-1k, peer-1k, ours-10k, peer-10k, ours-1k, … — over keep-alive connections, after a
warm-up, so load on the machine falls on both alike. Figures are medians of `--runs` requests.
`--peer-url BASE` uses one peer for both sizes; without a peer (`--no-peer`, or the peer not answering)
only ours is printed. Every row also shows our 10k/1k ratio (target ≤ 1.3).

Also printed: the data sizes read from each database, the listing's HTML size, and the number of SQL
queries of one logged-in listing request (counted in the shell run with Django's test client under the
production settings, after one warm-up request).
"""

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.common import PYTHON, ROOT, analyse, prepare_database, run  # noqa: E402 (after the path)

GUNICORN = str(Path(PYTHON).parent / "gunicorn")
SERVER = "postgres://postgres@127.0.0.1:5432"
SIZES = {"1k": {"members": 500, "projects": 1000}, "10k": {"members": 5000, "projects": 10000}}
FACETS = "?q=centre&programme=acv&thematique=commerce&region=32"

# Run by `manage.py shell` against one database, under the same settings as its gunicorn: data sizes,
# the URLs to measure, a member's session, and the query count of one logged-in listing request.
PROBE_SCRIPT = r"""
import json
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from events.models import EventPage
from network.models import Member, MemberIndexPage
from resources.models import ProjectIndexPage, ProjectPage, ResourceIndexPage, ResourcePage
from events.models import EventIndexPage

def first_url(model, code="fr"):
    page = model.objects.live().public().filter(locale__language_code=code).order_by("path").first()
    return page.url if page is not None else None

member = Member.objects.listed().filter(visibility="public").select_related("user").order_by("pk").first()
user = member.user
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()

directory = first_url(MemberIndexPage)
projects = first_url(ProjectIndexPage)
urls = {
    "projects": projects,
    "projects_en": first_url(ProjectIndexPage, "en"),
    "project": ProjectPage.objects.live().public().filter(locale__language_code="fr").order_by("pk").first().url,
    "resources": first_url(ResourceIndexPage),
    "agenda": first_url(EventIndexPage),
    "directory": directory,
    "event": first_url(EventPage),
    "profile": f"{directory}{member.slug}/",
}
client = Client(SERVER_NAME="127.0.0.1")
client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
queries = {}
for label, path in (("no filter", projects), ("q + 3 facets", projects + FACETS)):
    assert client.get(path).status_code == 200, path
    with CaptureQueriesContext(connection) as captured:
        status = client.get(path).status_code
    assert status == 200, (path, status)
    queries[label] = len(captured.captured_queries)
sizes = {
    "projects": ProjectPage.objects.count(),
    "members": Member.objects.count(),
    "resources": ResourcePage.objects.count(),
    "events": EventPage.objects.count(),
}
from django.urls import reverse
from django.utils import translation
logout = []
for code in ("fr", "en"):
    with translation.override(code):
        logout.append(reverse("network:logout"))
print(json.dumps({"session": session.session_key, "logout": logout, "cookie": settings.SESSION_COOKIE_NAME, "urls": urls,
                  "queries": queries, "sizes": sizes}))
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="measured requests per page and target (default 15)")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured requests first (default 2)")
    parser.add_argument("--load", action="store_true", help="drop and rebuild both of our databases first")
    parser.add_argument("--peer-url", help="one peer base URL for both sizes")
    parser.add_argument("--peer-url-1k", default="http://127.0.0.1:8701")
    parser.add_argument("--peer-url-10k", default="http://127.0.0.1:8702")
    parser.add_argument("--peer-index", default="/actualites/", help="the peer's listing (blog index) path")
    parser.add_argument("--peer-entry", default="/actualites/article-500/", help="the peer's detail page path")
    parser.add_argument("--peer-databases", default="peer_1k,peer_10k", help="analysed when on our server")
    parser.add_argument("--no-peer", action="store_true", help="measure ours only")
    return parser.parse_args()


def database_url(size):
    return f"{SERVER}/centralites_bench_{size}"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def existing_databases():
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        return {row[0] for row in conn.execute("SELECT datname FROM pg_database")}


class Target:
    """One server over one keep-alive connection; `cookie` makes our requests a logged-in member's."""

    def __init__(self, base, cookie=None, markers=(), uncached=False):
        self.markers = [marker.encode() for marker in markers]
        self.uncached = uncached  # anonymous requests of ours: refuse any response from the response cache
        parts = urllib.parse.urlsplit(base)
        self.base, self.host, self.port = base, parts.hostname, parts.port or 80
        self.headers = {"Host": f"{self.host}:{self.port}", "Accept-Language": "fr"}
        if cookie:
            self.headers["Cookie"] = cookie
        self.connection = None

    def get(self, path):
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
            try:
                started = time.perf_counter()
                self.connection.request("GET", path, headers=self.headers)
                response = self.connection.getresponse()
                body = response.read()
                elapsed = time.perf_counter() - started
                if (
                    self.markers
                    and response.status == 200
                    and response.getheader("Content-Type", "").startswith("text/html")
                ):
                    # A logged-in page, never the anonymous response cache's copy.
                    if response.getheader("X-Hub-Cache") or not any(m in body for m in self.markers):
                        raise SystemExit(f"compare_peer: {self.base}{path} was not served to the logged-in member")
                if self.uncached and response.getheader("X-Hub-Cache"):
                    raise SystemExit(f"compare_peer: {self.base}{path} came from the response cache")
                if response.getheader("Connection", "").lower() == "close":
                    self.connection.close()
                    self.connection = None
                return response.status, elapsed, body
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def answers(self, path):
        try:
            return self.get(path)[0] == 200
        except OSError:
            return False


def wait_for(target, path, process, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"compare_peer: gunicorn for {target.base} stopped ({process.returncode})")
        if target.answers(path):
            return
        time.sleep(0.3)
    raise SystemExit(f"compare_peer: {target.base}{path} did not answer within {timeout}s")


def measure(targets, runs, warmup):
    """Medians in seconds per target key, the requests interleaved across targets run by run."""
    timings = {key: [] for key in targets}
    sizes = {}
    for run_number in range(warmup + runs):
        for key, (target, path) in targets.items():
            status, elapsed, body = target.get(path)
            if status != 200:
                raise SystemExit(f"compare_peer: {target.base}{path} answered {status}")
            if run_number >= warmup:
                timings[key].append(elapsed)
            sizes[key] = len(body)
    return {key: statistics.median(values) for key, values in timings.items()}, sizes


def last_page(target, path):
    _status, _elapsed, body = target.get(path)
    pages = [int(n) for n in re.findall(rb"[?&;]page=(\d+)", body)]
    return max(pages) if pages else 1


def cell(ours, peer):
    if peer is None:
        return f"{ours * 1000:,.0f} ms"
    return f"{ours * 1000:,.0f} / {peer * 1000:,.0f} = {ours / peer:.1f}×"


def main():
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="centralites-compare-", dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    base_env.update(
        {
            "DJANGO_SETTINGS_MODULE": "hub.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "STATIC_ROOT": str(work / "static"),
            "MEDIA_ROOT": str(work / "media"),
            "EMAIL_URL": "consolemail://",
            "ELASTICSEARCH_URL": "",
            "HUB_ALLOW_PLAIN_HTTP": "true",  # test-only: no https redirect, no secure-only cookies
        }
    )
    processes = []
    try:
        print("== compare_peer: databases", flush=True)
        if args.load:
            for size in SIZES:
                demo = ["--members", str(SIZES[size]["members"]), "--projects", str(SIZES[size]["projects"])]
                prepare_database(f"centralites_bench_{size}", demo, reload=True)
        present = existing_databases()
        missing = [f"centralites_bench_{size}" for size in SIZES if f"centralites_bench_{size}" not in present]
        if missing:
            raise SystemExit(f"compare_peer: {', '.join(missing)} missing: run with --load")
        if not args.load:  # the code measured may carry migrations the databases have not had yet
            for size in SIZES:
                env = {**base_env, "DJANGO_SETTINGS_MODULE": "hub.settings.test", "DATABASE_URL": database_url(size)}
                run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env, f"migrate centralites_bench_{size}")
        collect = subprocess.Popen(
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env={**base_env, "DATABASE_URL": database_url("1k"), "REDIS_URL": "redis://127.0.0.1:1/0"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        peers = {}
        if not args.no_peer:
            peers = {size: args.peer_url or getattr(args, f"peer_url_{size}") for size in SIZES}
        peer_dbs = [name for name in args.peer_databases.split(",") if name and name in present] if peers else []
        analyse([f"centralites_bench_{size}" for size in SIZES] + peer_dbs)
        output, _ = collect.communicate()
        if collect.returncode != 0:
            sys.stdout.write(output[-4000:])
            raise SystemExit(f"compare_peer: collectstatic failed ({collect.returncode})")

        redis_server = shutil.which("redis-server")
        if redis_server is None:
            raise SystemExit("compare_peer: redis-server is missing (apt-get install redis-server)")
        ours, anonymous, probes = {}, {}, {}
        for size in SIZES:
            port, redis_port = free_port(), free_port()
            env = {
                **base_env,
                "DATABASE_URL": database_url(size),
                "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
                "SITE_BASE_URL": f"http://127.0.0.1:{port}",
            }
            processes.append(
                subprocess.Popen(
                    [
                        redis_server,
                        "--port",
                        str(redis_port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            time.sleep(0.3)
            probe = run(
                [PYTHON, "manage.py", "shell", "-c", f"FACETS = {FACETS!r}\n{PROBE_SCRIPT}"], env, f"probe {size}"
            )
            probes[size] = json.loads(probe.strip().splitlines()[-1])
            gunicorn = subprocess.Popen(
                [GUNICORN, "hub.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                cwd=ROOT,
                env=env,
                stdout=open(work / f"gunicorn_{size}.log", "w"),  # noqa: SIM115  (closed with the process)
                stderr=subprocess.STDOUT,
            )
            processes.append(gunicorn)
            cookie = f"{probes[size]['cookie']}={probes[size]['session']}"
            ours[size] = Target(f"http://127.0.0.1:{port}", cookie, probes[size]["logout"])
            anonymous[size] = Target(f"http://127.0.0.1:{port}", uncached=True)
            wait_for(ours[size], "/healthz/", gunicorn)

        peer_targets = {}
        for size, base in peers.items():
            target = Target(base)
            if target.answers(args.peer_index) and target.answers(args.peer_entry):
                peer_targets[size] = target
            else:
                print(f"   peer {base}: no answer at {args.peer_index} or {args.peer_entry}, left out")
        if len(peer_targets) != len(SIZES):
            peer_targets = {}

        rows = []  # (label, {size: our path}, peer path)
        urls = {size: probe["urls"] for size, probe in probes.items()}

        def paths(key, suffix=""):
            return {size: urls[size][key] + suffix for size in SIZES}

        last = {
            size: f"{urls[size]['projects']}?page={last_page(ours[size], urls[size]['projects'])}" for size in SIZES
        }
        rows.append(("Projétothèque, no filter, logged in (uncached)", paths("projects"), args.peer_index))
        rows.append(("Projétothèque, one thematic", paths("projects", "?thematique=commerce"), args.peer_index))
        rows.append(("Projétothèque, q + 3 facets", paths("projects", FACETS), args.peer_index))
        rows.append(("Projétothèque, last page", last, args.peer_index))
        rows.append(("English Projétothèque", paths("projects_en"), args.peer_index))
        rows.append(("project page", paths("project"), args.peer_entry))
        rows.append(("resource library", paths("resources"), args.peer_index))
        rows.append(("agenda", paths("agenda"), args.peer_index))
        members = {size: f"{probes[size]['sizes']['members']:,}" for size in SIZES}
        rows.append(
            (f"directory ({members['1k']} / {members['10k']} members), logged in", paths("directory"), args.peer_index)
        )
        rows.append(("event page", paths("event"), args.peer_entry))
        rows.append(("profile page", paths("profile"), args.peer_entry))
        # Detail pages are never in the response cache: anonymous, like the peer's requests (no session,
        # account or permission lookups); the script refuses any response marked X-Hub-Cache.
        anonymous_rows = {"project page", "event page", "profile page"}
        rows.extend(
            (f"{label}, anonymous", paths_, peer) for label, paths_, peer in list(rows) if label in anonymous_rows
        )

        print(f"== compare_peer: measuring, {args.runs} runs after {args.warmup} warm-up, interleaved", flush=True)
        results, listing_bytes = [], {}
        for label, our_paths, peer_path in rows:
            targets = {}
            for size in SIZES:
                mine = anonymous[size] if label.endswith(", anonymous") else ours[size]
                targets[("ours", size)] = (mine, our_paths[size])
                if peer_targets:
                    targets[("peer", size)] = (peer_targets[size], peer_path)
            medians, body_sizes = measure(targets, args.runs, args.warmup)
            if not listing_bytes:
                listing_bytes = {size: body_sizes[("ours", size)] for size in SIZES}
            results.append((label, medians))
            print(
                f"   {label}: " + ", ".join(f"{k[0]}-{k[1]} {v * 1000:.0f} ms" for k, v in medians.items()), flush=True
            )
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
        shutil.rmtree(work, ignore_errors=True)

    print()
    for size in SIZES:
        data = probes[size]["sizes"]
        print(
            f"ours {size}: centralites_bench_{size}: {data['projects']:,} projects, {data['members']:,} members, "
            f"{data['resources']:,} resources, {data['events']:,} events"
        )
    if peer_targets:
        for size in SIZES:
            print(f"peer {size}: {peer_targets[size].base}  index {args.peer_index}  entry {args.peer_entry}")
    else:
        print("peer: none (ours only)")
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "-uno"], cwd=ROOT, capture_output=True, text=True)
    changed = len(dirty.stdout.splitlines())
    print(f"code: {head.stdout.strip()}" + (f" plus {changed} uncommitted changed file(s)" if changed else ""))
    load1, load5, load15 = os.getloadavg()
    print(
        f"medians of {args.runs} requests each, interleaved; load average at the end {load1:.2f} {load5:.2f} {load15:.2f}"
    )
    print()
    head = "ours / peer" if peer_targets else "ours"
    print(f"| page | 1,000 items: {head} | 10,000 items: {head} | ours 10k/1k (≤ 1.3) |")
    print("|---|---|---|---|")
    for label, medians in results:
        cells = [cell(medians[("ours", size)], medians.get(("peer", size))) for size in SIZES]
        growth = medians[("ours", "10k")] / medians[("ours", "1k")]
        print(f"| {label} | {cells[0]} | {cells[1]} | {growth:.2f}{'' if growth <= 1.3 else ' (over)'} |")
    kb = {size: listing_bytes[size] / 1024 for size in SIZES}
    print(f"| listing HTML (no filter) | {kb['1k']:.0f} KB | {kb['10k']:.0f} KB | {kb['10k'] / kb['1k']:.2f} |")
    for label in ("no filter", "q + 3 facets"):
        counts = {size: probes[size]["queries"][label] for size in SIZES}
        print(f"| SQL queries, one listing request ({label}) | {counts['1k']} | {counts['10k']} | |")


if __name__ == "__main__":
    main()
