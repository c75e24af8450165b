"""Projétothèque at 10,000 projects on PostgreSQL, against bare Django views through the same middleware.

    .venv/bin/python benchmarks/projetotheque.py [--url postgres://…/centralites_bench] [--projects 10000]

ANALYZE runs after loading. Prints, in one run: median times of the listing (a text query and three facets) as an anonymous
visitor gets it (response cache warm) and uncached, of a project page and of the CSV export of every
project, each beside a bare view returning the same number of bytes; their ratios; and the SQL query
count of one uncached listing request on a 100-project and on the full Projétothèque.
Targets (issue 3): listing ≤ 4× bare, same query count at both sizes, CSV of 10,000 rows under 2 s.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.common import median_time  # noqa: E402 (after the path)

QUERY = "?q=centre&programme=acv&thematique=commerce&region=32"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="postgres://postgres@127.0.0.1:5432/centralites_bench")
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    return parser.parse_args()


def ensure_database(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def fill(index, count, seed, resources_demo, ProjectPage):
    from wagtail.search.backends import get_search_backend

    existing = ProjectPage.objects.child_of(index).count()
    if existing >= count:
        return existing
    started = time.perf_counter()
    print(f"creating projects under /{index.slug}/: {existing} → {count}…", flush=True)
    resources_demo.build_projects(index, count, seed=seed)
    backend = get_search_backend()
    queryset = ProjectPage.objects.child_of(index).order_by("pk")
    for start in range(0, count, 1000):
        backend.add_bulk(ProjectPage, list(queryset[start : start + 1000]))
    print(f"  {time.perf_counter() - started:.0f} s with search indexing", flush=True)
    return ProjectPage.objects.child_of(index).count()


def main():
    args = parse_args()
    ensure_database(args.url)
    os.environ["DATABASE_URL"] = args.url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.test")
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from wagtail.models import Locale

    from benchmarks import urls as bench_urls
    from hub import demo
    from hub.models import Commune
    from resources import demo as resources_demo
    from resources.models import ProjectIndexPage, ProjectPage

    print(f"database: {connection.vendor} {args.url.rsplit('@', 1)[-1]}")
    call_command("migrate", verbosity=0)
    if Commune.objects.count() < 37_000:
        print("importing territories…", flush=True)
        call_command("import_territories", "--no-index", verbosity=0)
    demo.build_taxonomy()
    home = demo.build_site()
    large = resources_demo.build_project_index(home)
    small = ProjectIndexPage.objects.child_of(home).filter(slug="projetotheque-100").first()
    if small is None:  # a second, 100-project Projétothèque to compare query counts in the same run
        small = ProjectIndexPage(
            title="Projétothèque (100)", slug="projetotheque-100", locale=Locale.objects.get(language_code="fr")
        )
        home.add_child(instance=small)
        small.save_revision().publish()
    small_total = fill(small, 100, 7, resources_demo, ProjectPage)
    total = fill(large, args.projects, 2018, resources_demo, ProjectPage)
    if connection.vendor == "postgresql":  # planner statistics for what was just loaded (autovacuum may be off)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    with override_settings(ROOT_URLCONF="benchmarks.urls", ALLOWED_HOSTS=["*"], DEBUG=False):
        client = Client()

        def uncached_queries(path):
            client.get(path)
            cache.clear()
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path)
            assert response.status_code == 200
            return len(ctx.captured_queries)

        queries_small = uncached_queries(f"/fr/projetotheque-100/{QUERY}")
        queries_large = uncached_queries(f"/fr/projetotheque/{QUERY}")

        listing_url = f"/fr/projetotheque/{QUERY}"
        rows = {}
        cold, listing_size = median_time(client, listing_url, args.runs, before_each=cache.clear)
        warm, _ = median_time(client, listing_url, args.runs)
        bench_urls.BARE_SIZE["bytes"] = listing_size
        bare_listing, _ = median_time(client, "/bare/page/", args.runs)
        rows["listing, anonymous (cache warm)"] = (warm, bare_listing, listing_size)
        rows["listing, uncached"] = (cold, bare_listing, listing_size)

        page_url = ProjectPage.objects.child_of(large).live().order_by("pk").first().url
        page_time, page_size = median_time(client, page_url, args.runs)
        bench_urls.BARE_SIZE["bytes"] = page_size
        bare_page, _ = median_time(client, "/bare/page/", args.runs)
        rows["project page"] = (page_time, bare_page, page_size)

        csv_runs = max(3, args.runs // 3)
        csv_time, csv_size = median_time(client, "/fr/projetotheque/export.csv", csv_runs, consume=True)
        bench_urls.BARE_SIZE["bytes"] = csv_size
        bare_csv, _ = median_time(client, "/bare/stream/", csv_runs, consume=True)
        rows[f"CSV export, {total} rows"] = (csv_time, bare_csv, csv_size)

    print()
    print(
        f"projects: {total} (and {small_total} in the comparison index)   medians of {args.runs} runs "
        f"({csv_runs} for CSV)   search backend: {settings.WAGTAILSEARCH_BACKENDS['default']['BACKEND']}"
    )
    print(f"listing URL: {QUERY}")
    print(f"{'scenario':34} {'median':>10} {'bare view':>10} {'ratio':>7} {'bytes':>10}")
    for name, (product, bare, size) in rows.items():
        print(f"{name:34} {product * 1000:8.1f}ms {bare * 1000:8.1f}ms {product / bare:6.1f}x {size:10d}")
    print()
    print(
        f"SQL queries per uncached listing request: {queries_small} at {small_total} projects, "
        f"{queries_large} at {total}"
    )
    warm_ratio = warm / bare_listing
    print(
        f"targets: listing ≤ 4× bare: {'met' if warm_ratio <= 4 else 'NOT met'} ({warm_ratio:.1f}× warm, "
        f"{cold / bare_listing:.1f}× uncached); CSV under 2 s: {'met' if csv_time < 2 else 'NOT met'} "
        f"({csv_time:.2f} s); same query count: {'met' if queries_small == queries_large else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
