#!/usr/bin/env python3
"""Territory pages and the observatory at 100 and 10,000 projects, on PostgreSQL, against the bare view.

    .venv/bin/python benchmarks/territories.py [--runs 15] [--load]

Two databases built from the template `centralites_bench_tpl` (benchmarks/common.py makes it when missing:
migrated, territories imported, every commune at its shipped point), when missing or with `--load`:
- `centralites_bench_terr_100`: load_demo --projects 100 --members 100 --events 50;
- `centralites_bench_terr_10k`: load_demo --projects 10000 --members 5000 --events 500.
Both get `load_demo` at their size (idempotent) and ANALYZE before measuring.

Each size is measured in its own process: Django's test client through the whole middleware, DEBUG off.
Every request is uncached, as the first visitor's after a publication: before each one, the cache scopes
of every index page and of the directory are renewed, as publishing a project, an event or a profile
does (hub.cache). The page chrome stays cached, as for any visitor after the first, and so do the
observatory's stored medians, which a background task renews (hub.observatory.medians): the cost of that
task is printed on its own row, at both sizes. The pages measured are:
- the commune with the most projects at 10,000 (the same commune at 100);
- its EPCI;
- its département;
- the observatory table on its first indicator.

Every row also has the bare view (benchmarks/urls.py) answering the same number of bytes, and the SQL
queries of one request. The query count must be the same at both sizes.
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.common import PYTHON, median_time, prepare_database, run  # noqa: E402 (after the path)

SIZES = {
    "100": {"projects": 100, "members": 100, "events": 50},
    "10k": {"projects": 10_000, "members": 5_000, "events": 500},
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--load", action="store_true", help="drop and rebuild both databases")
    parser.add_argument("--measure", metavar="SIZE", help=argparse.SUPPRESS)  # the child process
    parser.add_argument("--commune", help=argparse.SUPPRESS)  # the same commune at both sizes
    return parser.parse_args()


def prepare(size, reload):
    demo = [item for key, value in SIZES[size].items() for item in (f"--{key}", str(value))]
    return prepare_database(f"centralites_bench_terr_{size}", demo, reload)


def measure(size, runs, code=None):
    """In the child process: the figures of one database, printed as JSON."""
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.db.models import Count, Q
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from wagtail.models import Page

    from benchmarks import urls as bench_urls
    from hub.cache import page_scope, renew_scopes
    from hub.models import Commune, Indicator
    from hub.observatory import medians
    from network.listing import DIRECTORY_SCOPE
    from resources.models import ProjectPage

    live = Q(projects__live=True, projects__locale__language_code="fr")
    communes = Commune.objects.filter(epci__isnull=False).annotate(n=Count("projects", filter=live))
    commune = (communes.filter(insee_code=code) if code else communes.order_by("-n", "insee_code")).first()
    indicator = Indicator.objects.order_by("slug").first()
    paths = {
        f"commune page ({commune.name}, {commune.n} projects)": f"/fr/territoires/communes/{commune.insee_code}/",
        f"EPCI page ({commune.epci.name})": f"/fr/territoires/intercommunalites/{commune.epci.siren}/",
        f"département page ({commune.department.name})": f"/fr/territoires/departements/{commune.department.code}/",
    }
    if indicator is not None:
        paths[f"observatory table ({indicator.slug})"] = f"/fr/territoires/observatoire/?indicateur={indicator.slug}"
    # What publishing anywhere renews: every index page's scope (the home page's, the apps' listings) and
    # the directory's. Not the chrome's: a project is not in the menu.
    publication = [page_scope(pk) for pk in Page.objects.filter(depth__lte=3).values_list("pk", flat=True)]
    publication.append(DIRECTORY_SCOPE)

    def uncached():
        renew_scopes(publication)

    rows = {}
    started = time.perf_counter()
    medians.store()
    rows["medians"] = {
        "label": "stored medians, renewed by a background task",
        "ms": (time.perf_counter() - started) * 1000,
    }
    with override_settings(ROOT_URLCONF="benchmarks.urls", ALLOWED_HOSTS=["*"], DEBUG=False):
        client = Client()
        for label, path in paths.items():
            response = client.get(path)
            if response.status_code in (301, 302):  # the address without its slug: the page's own
                path = response["Location"]
            client.get(path)
            uncached()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            assert response.get("X-Hub-Cache") in (None, "miss"), (path, response.get("X-Hub-Cache"))
            queries = len(captured.captured_queries)  # now: the next request empties Django's query log
            seconds, size_bytes = median_time(client, path, runs, before_each=uncached)
            bench_urls.BARE_SIZE["bytes"] = size_bytes
            bare, _ = median_time(client, "/bare/page/", runs)
            rows[label.split(" (")[0]] = {
                "label": label,
                "path": path,
                "ms": seconds * 1000,
                "bare_ms": bare * 1000,
                "bytes": size_bytes,
                "queries": queries,
            }
    cache.close()
    projects = ProjectPage.objects.live().filter(locale__language_code="fr").count()
    print(json.dumps({"size": size, "projects": projects, "commune": commune.insee_code, "rows": rows}))


def main():
    args = parse_args()
    if args.measure:
        measure(args.measure, args.runs, args.commune)
        return
    print("== territories: databases", flush=True)
    envs = {size: prepare(size, args.load) for size in SIZES}
    print(f"== territories: measuring, {args.runs} uncached requests per page", flush=True)
    results, code = {}, []
    for size in ("10k", "100"):  # the large one chooses the commune: the one with the most projects there
        output = run(
            [PYTHON, __file__, "--measure", size, "--runs", str(args.runs), *code], envs[size], f"measure {size}"
        )
        results[size] = json.loads(output.strip().splitlines()[-1])
        code = ["--commune", results[size]["commune"]]
    small, large = results["100"], results["10k"]
    print()
    print(f"projects: {small['projects']} and {large['projects']} (members 100 / 5,000, events 50 / 500)")
    print(
        "| page | 100 projects | 10,000 projects | bare view, same bytes | ratio to bare | queries at 100 / 10,000"
        " | HTML bytes at 100 / 10,000 |"
    )
    print("|---|---|---|---|---|---|---|")
    for key, row in large["rows"].items():
        other = small["rows"].get(key, {})
        if "queries" not in row:
            print(f"| {row['label']} | {other.get('ms', float('nan')):.1f} ms | {row['ms']:.1f} ms | | | | |")
            continue
        same = "same" if other.get("queries") == row["queries"] else "DIFFERENT"
        print(
            f"| {row['label']} | {other.get('ms', float('nan')):.1f} ms | {row['ms']:.1f} ms | {row['bare_ms']:.1f} ms"
            f" | {row['ms'] / row['bare_ms']:.1f}× | {other.get('queries')} / {row['queries']} ({same})"
            f" | {other.get('bytes', 0):,} / {row['bytes']:,} |"
        )


if __name__ == "__main__":
    main()
