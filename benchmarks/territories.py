#!/usr/bin/env python3
"""Territory pages and the observatory at 100 and 10,000 projects, on PostgreSQL, against the bare view.

    .venv/bin/python benchmarks/territories.py [--runs 15] [--load]

Two databases built from the template `centralites_bench_tpl` (migrated, territories imported; see
benchmarks/compare_peer.py), when missing or with `--load`:
- `centralites_bench_terr_100`: load_demo --projects 100 --members 100 --events 50;
- `centralites_bench_terr_10k`: load_demo --projects 10000 --members 5000 --events 500.

A new one gets `import_territories --no-index` first (every commune placed at its shipped point); both
get `load_demo` at their size (idempotent) and ANALYZE before measuring.

Each size is measured in its own process: Django's test client through the whole middleware, DEBUG
off, the response cache emptied before each request (every request is uncached, as the first visitor's
after a publication). The pages measured are:
- the commune with the most projects at 10,000 (the same commune at 100);
- its EPCI;
- its département;
- the observatory table on its first indicator.

Every row also has the bare view (benchmarks/urls.py) answering the same number of bytes, and the SQL
queries of one request. The query count must be the same at both sizes.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
SERVER = "postgres://postgres@127.0.0.1:5432"
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


def database(size):
    return f"centralites_bench_terr_{size}"


def run(command, env, label):
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stdout.write(result.stdout[-4000:])
        sys.stderr.write(result.stderr[-4000:])
        raise SystemExit(f"territories: {label} failed ({result.returncode})")
    print(f"   {label}: {time.monotonic() - started:.0f} s", flush=True)
    return result.stdout


def prepare(size, reload):
    import psycopg

    name = database(size)
    env = {**os.environ, "DATABASE_URL": f"{SERVER}/{name}", "DJANGO_SETTINGS_MODULE": "hub.settings.test"}
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if reload or not exists:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE centralites_bench_tpl')
            exists = False
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env, f"migrate {name}")
    if not exists:
        run([PYTHON, "manage.py", "import_territories", "--no-index", "-v", "0"], env, f"import_territories {name}")
    # Idempotent: on an existing database it only adds what the demo has gained since (indicators, say).
    options = [item for key, value in SIZES[size].items() for item in (f"--{key}", str(value))]
    run([PYTHON, "manage.py", "load_demo", *options, "-v", "0"], env, f"load_demo {' '.join(options)}")
    with psycopg.connect(f"{SERVER}/{name}", autocommit=True) as conn:
        conn.execute("ANALYZE")
    return env


def median_time(client, url, runs, before_each):
    client.get(url)  # warm-up
    timings, size = [], 0
    for _ in range(runs):
        before_each()
        started = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        size = len(response.content)
    return statistics.median(timings), size


def measure(size, runs, code=None):
    """In the child process: the figures of one database, printed as JSON."""
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.db.models import Count, Q
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from benchmarks import urls as bench_urls
    from hub.models import Commune, Indicator
    from resources.models import ProjectPage

    live = Q(projects__live=True, projects__locale__language_code="fr")
    communes = Commune.objects.filter(epci__isnull=False).annotate(n=Count("projects", filter=live))
    commune = (communes.filter(insee_code=code) if code else communes.order_by("-n", "insee_code")).first()
    indicator = Indicator.objects.order_by("slug").first()
    bare_paths = {
        f"commune page ({commune.name}, {commune.n} projects)": f"/fr/territoires/communes/{commune.insee_code}/",
        f"EPCI page ({commune.epci.name})": f"/fr/territoires/intercommunalites/{commune.epci.siren}/",
        f"département page ({commune.department.name})": f"/fr/territoires/departements/{commune.department.code}/",
    }
    if indicator is not None:
        bare_paths[f"observatory table ({indicator.slug})"] = (
            f"/fr/territoires/observatoire/?indicateur={indicator.slug}"
        )
    rows = {}
    with override_settings(ROOT_URLCONF="benchmarks.urls", ALLOWED_HOSTS=["*"], DEBUG=False):
        client = Client()
        for label, path in bare_paths.items():
            response = client.get(path)
            if response.status_code in (301, 302):  # the address without its slug: the page's own
                path = response["Location"]
            cache.clear()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            queries = len(captured.captured_queries)  # now: the next request empties Django's query log
            seconds, size_bytes = median_time(client, path, runs, cache.clear)
            bench_urls.BARE_SIZE["bytes"] = size_bytes
            bare, _ = median_time(client, "/bare/page/", runs, lambda: None)
            rows[label.split(" (")[0]] = {
                "label": label,
                "path": path,
                "ms": seconds * 1000,
                "bare_ms": bare * 1000,
                "bytes": size_bytes,
                "queries": queries,
            }
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
    print("| page | 100 projects | 10,000 projects | bare view, same bytes | ratio to bare | queries at 100 / 10,000 |")
    print("|---|---|---|---|---|---|")
    for key, row in large["rows"].items():
        other = small["rows"].get(key, {})
        same = "same" if other.get("queries") == row["queries"] else "DIFFERENT"
        print(
            f"| {row['label']} | {other.get('ms', float('nan')):.1f} ms | {row['ms']:.1f} ms | {row['bare_ms']:.1f} ms"
            f" | {row['ms'] / row['bare_ms']:.1f}× | {other.get('queries')} / {row['queries']} ({same}) |"
        )


if __name__ == "__main__":
    main()
