#!/usr/bin/env python3
"""The observatory at 100 and at 10,000 projects on PostgreSQL, against a bare Django view.

    .venv/bin/python benchmarks/observatory.py [--runs 15] [--load]

Two databases of its own: `centralites_bench_obs_100` (load_demo --projects 100 --members 50 --events 5)
and `centralites_bench_obs_10k` (load_demo --projects 10000 --members 5000 --events 500), reused when
present (migrated to the code measured); `--load` drops and rebuilds them. Each is created from the
template `centralites_bench_tpl` (benchmarks/common.py makes it when missing: migrated, territories imported);
load_demo runs when a database is created. The demo imports the illustrative indicators of the 244 Action cœur de ville towns.
ANALYZE runs before measuring.

Per size, in a process of its own (hub.settings.test with DATABASE_URL, through benchmarks.urls so a bare
view answers beside the site): the median time of the towns' table on an imported indicator, on a computed
one (projects, ACV towns), its CSV export, and the indicator panel that territory pages include, for the
same commune at both sizes (Abbeville), its EPCI and its département (rendered alone in a page of the site's
layout); each beside the bare view returning as many bytes; and the SQL query count of each. Targets:
the same query count at both sizes; the table within a few times the bare view.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.common import PYTHON, ROOT, median_time, prepare_database  # noqa: E402 (after the path)

PANEL_COMMUNE = "80001"
SIZES = {
    "100": ("centralites_bench_obs_100", ["--projects", "100", "--members", "50", "--events", "5"]),
    "10k": ("centralites_bench_obs_10k", ["--projects", "10000", "--members", "5000", "--events", "500"]),
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--load", action="store_true", help="drop and rebuild both databases")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # internal: measure the database DATABASE_URL names
    return parser.parse_args()


def prepare(name, demo, reload):
    return prepare_database(name, demo, reload, demo_always=False)


def measure(runs):
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from benchmarks import urls as bench_urls
    from events.models import EventPage
    from hub.models import Commune, IndicatorValue
    from network.models import Member
    from resources.models import ProjectPage

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # The same territories at both sizes: Abbeville (an ACV town), its EPCI and its département.
    town = Commune.objects.select_related("epci", "department").get(insee_code=PANEL_COMMUNE, kind="commune-actuelle")
    targets = {
        "table, imported indicator": ("/fr/territoires/observatoire/?indicateur=vacance-commerciale", False),
        "table, projects (ACV)": ("/fr/territoires/observatoire/?indicateur=projets&programme=acv&tri=nom", False),
        "CSV export, projects": ("/fr/territoires/observatoire/export.csv?indicateur=projets", True),
        "panel, commune": (f"/fr/panneau-indicateurs/commune/{town.insee_code}/", False),
        "panel, EPCI": (f"/fr/panneau-indicateurs/epci/{town.epci.siren}/", False),
        "panel, département": (f"/fr/panneau-indicateurs/departement/{town.department.code}/", False),
    }
    found = {
        "projects": ProjectPage.objects.filter(locale__language_code="fr").count(),
        "members": Member.objects.count(),
        "events": EventPage.objects.filter(locale__language_code="fr").count(),
        "values": IndicatorValue.objects.count(),
        "rows": {},
    }
    with override_settings(ROOT_URLCONF="benchmarks.observatory_urls", ALLOWED_HOSTS=["*"], DEBUG=False):
        client = Client()
        for name, (url, streamed) in targets.items():
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
                if streamed:
                    b"".join(response.streaming_content)
            count = len(queries)  # now: a reconnection during the timed runs empties the connection's log
            elapsed, size = median_time(client, url, runs, consume=streamed)
            bench_urls.BARE_SIZE["bytes"] = size
            bare, _ = median_time(client, "/bare/stream/" if streamed else "/bare/page/", runs, consume=streamed)
            found["rows"][name] = {"time": elapsed, "bare": bare, "bytes": size, "queries": count}
    print(json.dumps(found))


def main():
    args = parse_args()
    if args.measure:
        measure(args.runs)
        return
    results = {}
    for label, (name, demo) in SIZES.items():
        env = prepare(name, demo, args.load)
        done = subprocess.run(
            [PYTHON, __file__, "--measure", name, "--runs", str(args.runs)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        results[label] = json.loads(done.stdout.strip().splitlines()[-1])
    print()
    for label, found in results.items():
        print(
            f"{label}: {found['projects']} projects, {found['members']} members, {found['events']} events, "
            f"{found['values']} indicator values; medians of {args.runs} runs"
        )
    print(f"{'scenario':28} {'size':>5} {'median':>10} {'bare view':>10} {'ratio':>7} {'bytes':>9} {'queries':>8}")
    for name in results["100"]["rows"]:
        for label, found in results.items():
            row = found["rows"][name]
            print(
                f"{name:28} {label:>5} {row['time'] * 1000:8.1f}ms {row['bare'] * 1000:8.1f}ms "
                f"{row['time'] / row['bare']:6.1f}x {row['bytes']:9d} {row['queries']:8d}"
            )
    same = all(
        results["100"]["rows"][name]["queries"] == results["10k"]["rows"][name]["queries"]
        for name in results["100"]["rows"]
    )
    print(f"\nsame query count at 100 and at 10,000 projects: {'met' if same else 'NOT met'}")


if __name__ == "__main__":
    main()
