#!/usr/bin/env python3
"""What the first request after a publication pays: building a listing's facet index, at two sizes.

    .venv/bin/python benchmarks/facet_index.py [--runs 5]

Reads the databases `benchmarks/compare_peer.py` loads (`centralites_bench_1k`: 1,000 projects and 500
members; `centralites_bench_10k`: 10,000 projects and 5,000 members), runs ANALYZE, then for the
Projétothèque (French and English) and the directory prints, per size: the median time to build the
index (its queries included), its number of queries, its size pickled (what the cache holds), and the
median time of the counts of one request once it is built (the q-less "one thematic" selection). The
build runs once per content change of the listing; every other request reads the index.
"""

import argparse
import os
import pickle
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
SERVER = "postgres://postgres@127.0.0.1:5432"


def measure(runs):
    import django

    django.setup()
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from hub.facets import FacetIndex
    from network.listing import member_facets
    from network.visibility import visible_members
    from resources.listing import project_facets
    from resources.models import ProjectIndexPage, ProjectPage

    def build(base, facets, flags, language):
        with translation.override(language):
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                index = FacetIndex.build(base, facets, flags)
                times.append((time.perf_counter() - started) * 1000)
            with CaptureQueriesContext(connection) as captured:
                FacetIndex.build(base, facets, flags)
        return index, statistics.median(times), len(captured.captured_queries)

    from hub.facets import FacetedListing
    from hub.i18n import localized_items
    from resources.listing import LOCATED, PROJECT_SORTS

    source = ProjectIndexPage.objects.filter(locale__language_code="fr").order_by("path").first()
    projects = ProjectPage.objects.child_of(source).live().public()
    rows = []
    for language in ("fr", "en"):
        base = localized_items(projects, language, source.locale_id)
        index, built, queries = build(base, project_facets(), {"located": LOCATED}, language)
        request = RequestFactory().get("/", {"thematique": "commerce"})
        with translation.override(language):
            listing = FacetedListing(
                request, projects, project_facets(), PROJECT_SORTS, items_locale_id=source.locale_id
            )
            listing.index = index
            started = time.perf_counter()
            for _ in range(100):
                listing.facet_counts()
            counting = (time.perf_counter() - started) * 10
        rows.append((f"Projétothèque ({language})", len(index.ids), built, queries, len(pickle.dumps(index)), counting))
    index, built, queries = build(visible_members(None), member_facets(), {}, "fr")
    rows.append(("directory (public view)", len(index.ids), built, queries, len(pickle.dumps(index)), None))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        for row in measure(args.runs):
            print("\t".join("" if value is None else str(value) for value in row))
        return
    import psycopg

    print(
        "| listing | rows (1k / 10k) | build ms (1k / 10k) | build queries | cached size KB | counts of one request ms |"
    )
    print("|---|---|---|---|---|---|")
    results = {}
    for size in ("1k", "10k"):
        with psycopg.connect(f"{SERVER}/centralites_bench_{size}", autocommit=True) as conn:
            conn.execute("ANALYZE")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "hub.settings.test",
            "DATABASE_URL": f"{SERVER}/centralites_bench_{size}",
        }
        output = subprocess.run(
            [PYTHON, __file__, "--child", size, "--runs", str(args.runs)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        results[size] = [line.split("\t") for line in output.splitlines() if line]
    for small, large in zip(results["1k"], results["10k"], strict=True):
        label = small[0]
        counts = f"{float(small[5]):.3f} / {float(large[5]):.3f}" if small[5] else "–"
        print(
            f"| {label} | {int(small[1]):,} / {int(large[1]):,} | {float(small[2]):.0f} / {float(large[2]):.0f} "
            f"| {small[3]} / {large[3]} | {int(small[4]) / 1024:.0f} / {int(large[4]) / 1024:.0f} | {counts} |"
        )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
