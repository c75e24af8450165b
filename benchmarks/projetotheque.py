"""Projétothèque at 10,000 projects on PostgreSQL, against bare Django views through the same middleware.

    .venv/bin/python benchmarks/projetotheque.py [--url postgres://…/centralites_bench] [--projects 10000]

Prints, in one run: median times of the listing (a text query and three facets), of a project page and
of the CSV export of every project, each beside a bare view returning the same number of bytes; their
ratios; and the SQL query count of one listing request at 100 and at the full number of projects.
Targets (issue 3): listing ≤ 4× bare, same query count at both sizes, CSV of 10,000 rows under 2 s.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


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


def median_time(client, url, runs, consume=False):
    client.get(url)  # warm-up
    timings = []
    size = 0
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        body = b"".join(response.streaming_content) if consume else response.content
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
        size = len(body)
    return statistics.median(timings), size


def main():
    args = parse_args()
    ensure_database(args.url)
    os.environ["DATABASE_URL"] = args.url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.test")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from benchmarks import urls as bench_urls
    from hub import demo
    from hub.models import Commune
    from resources import demo as resources_demo
    from resources.models import ProjectPage

    print(f"database: {connection.vendor} {args.url.rsplit('@', 1)[-1]}")
    call_command("migrate", verbosity=0)
    if Commune.objects.count() < 37_000:
        print("importing territories…")
        call_command("import_territories", "--no-index", verbosity=0)
    demo.build_taxonomy()
    home = demo.build_site()
    index = resources_demo.build_project_index(home)

    with override_settings(ROOT_URLCONF="benchmarks.urls", ALLOWED_HOSTS=["*"], DEBUG=False):
        client = Client()
        listing_url = "/fr/projetotheque/?q=centre&programme=acv&thematique=commerce&region=32"

        def listing_queries():
            client.get(listing_url)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(listing_url)
            assert response.status_code == 200
            return len(ctx.captured_queries)

        def grow_to(count):
            existing = ProjectPage.objects.child_of(index).count()
            if existing < count:
                started = time.perf_counter()
                print(f"creating projects {existing} → {count}…", flush=True)
                resources_demo.build_projects(index, count, seed=2018)
                print(f"  {time.perf_counter() - started:.0f} s; indexing…", flush=True)
                call_command("update_index", verbosity=0)
            return ProjectPage.objects.child_of(index).count()

        small = grow_to(100) if ProjectPage.objects.child_of(index).count() <= 100 else None
        queries_small = listing_queries() if small else None
        total = grow_to(args.projects)
        queries_large = listing_queries()

        page_url = ProjectPage.objects.child_of(index).live().order_by("pk").first().url
        rows = {}
        listing_time, listing_size = median_time(client, listing_url, args.runs)
        bench_urls.BARE_SIZE["bytes"] = listing_size
        bare_listing, _ = median_time(client, "/bare/page/", args.runs)
        rows["listing (q + 3 facets)"] = (listing_time, bare_listing, listing_size)

        page_time, page_size = median_time(client, page_url, args.runs)
        bench_urls.BARE_SIZE["bytes"] = page_size
        bare_page, _ = median_time(client, "/bare/page/", args.runs)
        rows["project page"] = (page_time, bare_page, page_size)

        csv_runs = max(3, args.runs // 3)
        csv_time, csv_size = median_time(client, "/fr/projetotheque/export.csv", csv_runs, consume=True)
        bench_urls.BARE_SIZE["bytes"] = csv_size
        bare_csv, _ = median_time(client, "/bare/stream/", csv_runs, consume=True)
        rows[f"CSV export ({total} rows)"] = (csv_time, bare_csv, csv_size)

    print()
    print(
        f"projects: {total}   runs per median: {args.runs} (CSV: {csv_runs})   search: "
        f"{settings.WAGTAILSEARCH_BACKENDS['default']['BACKEND']}"
    )
    print(f"{'scenario':32} {'median':>10} {'bare view':>10} {'ratio':>7} {'bytes':>10}")
    for name, (product, bare, size) in rows.items():
        print(f"{name:32} {product * 1000:8.1f}ms {bare * 1000:8.1f}ms {product / bare:6.1f}x {size:10d}")
    print()
    if queries_small is not None:
        print(f"SQL queries per listing request: {queries_small} at 100 projects, {queries_large} at {total}")
    else:
        print(
            f"SQL queries per listing request: {queries_large} at {total} (database already larger than 100; "
            "drop it to measure both sizes)"
        )
    listing_ratio = rows["listing (q + 3 facets)"][0] / rows["listing (q + 3 facets)"][1]
    csv_seconds = rows[f"CSV export ({total} rows)"][0]
    print(
        f"targets: listing ≤ 4× bare: {'met' if listing_ratio <= 4 else 'NOT met'} ({listing_ratio:.1f}×); "
        f"CSV under 2 s: {'met' if csv_seconds < 2 else 'NOT met'} ({csv_seconds:.2f} s); "
        f"query count constant: {'met' if queries_small in (None, queries_large) else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
