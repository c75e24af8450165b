"""Where one registration POST spends its time: cProfile and the SQL queries, in-process, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/events_bench .venv/bin/python benchmarks/registrations_profile.py
        [--posts 200] [--seats 50] [--sort cumulative] [--limit 45] [--queries]

Builds a fresh event like benchmarks/registrations.py does, then submits the form through the whole
middleware stack (Django's test client with CSRF checks on, one session), the first `seats` POSTs taking
a seat and the rest going to the waiting list. Prints the mean time per POST, the query count of one
confirmed and one waitlisted POST (with the SQL when --queries), and the cProfile of all POSTs.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--seats", type=int, default=150)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--limit", type=int, default=45)
    parser.add_argument("--queries", action="store_true")
    parser.add_argument("--filter", default="", help="only functions whose path matches this regular expression")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/events_bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.registrations_settings"

    from benchmarks.registrations import TOKEN, ensure_database, prepare

    ensure_database(os.environ["DATABASE_URL"])
    args.attempts = args.posts
    _event_id, event_url = prepare(args)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    client = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1")
    form_path = f"{event_url}inscription/"
    token = TOKEN.search(client.get(form_path).content.decode()).group(1)

    def post(number):
        response = client.post(
            form_path,
            {
                "csrfmiddlewaretoken": token,
                "first_name": "Personne",
                "last_name": f"n° {number}",
                "email": f"profil{number}@example.fr",
                "organisation": "Ville de test",
                "consent": "on",
                "website": "",
            },
            HTTP_REFERER="http://127.0.0.1" + form_path,
        )
        assert response.status_code == 302, (response.status_code, response.content[:500])
        return response

    def captured(number, label):
        with CaptureQueriesContext(connection) as queries:
            post(number)
        print(f"{label}: {len(queries)} queries")
        if args.queries:
            for query in queries.captured_queries:
                print(f"    {query['sql'][:220]}")

    captured(0, "first POST (confirmed, cold)")
    captured(1, "second POST (confirmed)")
    bare_token = TOKEN.search(client.get("/bare/registration/").content.decode()).group(1)
    started, cpu = time.perf_counter(), time.process_time()
    for number in range(args.posts):
        client.post(
            "/bare/registration/",
            {"csrfmiddlewaretoken": bare_token, "email": f"nu{number}@example.fr"},
            HTTP_REFERER="http://127.0.0.1/bare/registration/",
        )
    bare = (time.perf_counter() - started) / args.posts, (time.process_time() - cpu) / args.posts
    started, cpu = time.perf_counter(), time.process_time()
    for number in range(2, args.seats):
        post(number)
    plain = (time.perf_counter() - started) / (args.seats - 2), (time.process_time() - cpu) / (args.seats - 2)
    print(
        f"unprofiled, wall (Python CPU): {plain[0] * 1000:.1f} ms ({plain[1] * 1000:.1f} ms) per registration POST, "
        f"{bare[0] * 1000:.1f} ms ({bare[1] * 1000:.1f} ms) per bare POST"
    )
    profiler = cProfile.Profile(time.process_time)  # CPU time: waits on PostgreSQL do not count
    started = time.perf_counter()
    profiler.enable()
    for number in range(args.seats, args.posts):
        post(number)
    profiler.disable()
    elapsed = time.perf_counter() - started
    captured(args.posts, "a POST once full (waitlisted)")
    count = args.posts - args.seats
    print(f"{count} POSTs in {elapsed:.2f} s: {elapsed / count * 1000:.1f} ms per POST (profiled)")
    stats = pstats.Stats(profiler).sort_stats(args.sort)
    stats.print_stats(*([args.filter] if args.filter else []), args.limit)


if __name__ == "__main__":
    main()
