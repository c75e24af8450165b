"""Registrations under load: gunicorn on this machine, PostgreSQL, 100 concurrent clients.

    .venv/bin/python benchmarks/registrations.py [--url postgres://…/events_bench] [--attempts 500]
        [--clients 100] [--seats 100] [--workers 4] [--threads 8]

In one run: 500 registration attempts (POSTs; each client first loads the form once for its session
cookie and CSRF token, outside the measured time) from 100 concurrent clients for an event of 100 seats with a waiting list; then the same load against a bare
Django view through the same middleware that accepts a CSRF-protected POST and writes one row.
Prints confirmed, waitlisted, errors, registrations per second, POST latency percentiles and the ratio
of the two throughputs. Targets (issue 4): exactly 100 confirmed, 400 waitlisted, 0 errors, and at
least a quarter of the bare view's throughput.
"""

import argparse
import datetime
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="postgres://postgres@127.0.0.1:5432/events_bench")
    parser.add_argument("--attempts", type=int, default=500)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seats", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    return parser.parse_args()


def ensure_database(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(args):
    """Migrates, builds the home page and the agenda, and creates a fresh 100-seat event."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from benchmarks.registrations_urls import BARE_TABLE
    from events import demo as events_demo
    from events.factories import in_days
    from events.models import EventPage
    from hub import demo

    call_command("migrate", verbosity=0)
    demo.build_taxonomy()
    home = demo.build_site()
    index = events_demo.build_index(home)
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    start = in_days(30)
    event = EventPage(
        title=f"Atelier de charge {stamp}",
        slug=f"atelier-charge-{stamp}",
        locale=index.locale,
        event_type="atelier",
        format="presentiel",
        start=start,
        end=start + datetime.timedelta(hours=3),
        summary="Un atelier pour mesurer les inscriptions simultanées.",
        venue="Salle du conseil",
        capacity=args.seats,
        waitlist_enabled=True,
    )
    index.add_child(instance=event)
    event.save_revision().publish()
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {BARE_TABLE} (id bigserial PRIMARY KEY, email text, created_at timestamptz)"
        )
        cursor.execute(f"TRUNCATE {BARE_TABLE}")
    connection.close()
    return event.pk, event.url


def start_server(args, port):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.registrations_settings",
        "DATABASE_URL": args.url,
        "PYTHONPATH": str(ROOT),
    }
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "hub.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--worker-class",
        "gthread",
        "--backlog",
        "2048",
        # Clients wait at a barrier after loading the form: keep their connections open meanwhile.
        "--keep-alive",
        "120",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    import requests

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz/", timeout=1).status_code == 200:
                return server
        except requests.RequestException:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def _ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0


def cpu_seconds(server_pid):
    """CPU used so far by the gunicorn workers, this load generator, and every PostgreSQL process (Linux
    /proc; PostgreSQL's figure includes other databases' backends, if anything else runs)."""
    try:
        with open(f"/proc/{server_pid}/task/{server_pid}/children") as children:
            workers = [int(pid) for pid in children.read().split()]
    except OSError:
        workers = []
    postgres = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as comm:
                    if comm.read().strip() == "postgres":
                        postgres.append(int(entry))
            except OSError:
                pass
    tick = os.sysconf("SC_CLK_TCK")
    return {
        "gunicorn": sum(_ticks(pid) for pid in workers) / tick,
        "client": time.process_time(),
        "postgres": sum(_ticks(pid) for pid in postgres) / tick,
    }


def load(base, form_path, attempts, clients, fields, success_status=302, cpu=None):
    """`attempts` form submissions spread over `clients` threads, each with its own session (cookie);
    `cpu()`, if given, is read when the submissions start and when they end."""
    import requests

    counter = iter(range(attempts))
    lock = threading.Lock()
    latencies, errors = [], []
    barrier = threading.Barrier(clients + 1)  # the clients and this thread, which starts the clock

    def client():
        # Each client loads the form once (session cookie and CSRF token), like a person would; the
        # measured load is the submissions.
        session = requests.Session()
        token = TOKEN.search(session.get(base + form_path, timeout=60).text).group(1)
        barrier.wait()
        while True:
            with lock:
                number = next(counter, None)
            if number is None:
                return
            try:
                started = time.perf_counter()
                response = session.post(
                    base + form_path,
                    data={"csrfmiddlewaretoken": token, **fields(number)},
                    headers={"Referer": base + form_path},
                    allow_redirects=False,
                    timeout=60,
                )
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if response.status_code != success_status:
                        errors.append(f"{response.status_code}")
            except Exception as error:  # noqa: BLE001 — every failure counts as an error
                with lock:
                    errors.append(repr(error)[:120])

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    while barrier.n_waiting < clients:  # read the CPU counters while every client waits, idle, at the barrier
        time.sleep(0.01)
    cpu_before = cpu() if cpu else {}
    barrier.wait()
    started = time.perf_counter()  # every client holds its token: the submissions start now
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cpu_used = {key: value - cpu_before[key] for key, value in cpu().items()} if cpu else {}
    return {"wall": wall, "latencies": latencies, "errors": errors, "rate": attempts / wall, "cpu": cpu_used}


def cpu_line(result, attempts):
    used = result["cpu"]
    if not used:
        return ""
    parts = ", ".join(f"{name} {seconds / attempts * 1000:.1f}" for name, seconds in used.items())
    return f"; CPU ms per POST: {parts}"


def percentiles(values):
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return f"p50 {pick(0.50):.0f} ms, p90 {pick(0.90):.0f} ms, p99 {pick(0.99):.0f} ms, max {ordered[-1] * 1000:.0f} ms"


def main():
    args = parse_args()
    ensure_database(args.url)
    os.environ["DATABASE_URL"] = args.url
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.registrations_settings"
    event_id, event_url = prepare(args)
    port = free_port()
    server = start_server(args, port)
    base = f"http://127.0.0.1:{port}"
    try:

        def person(number):
            return {
                "first_name": "Personne",
                "last_name": f"n° {number}",
                "email": f"charge{number}@example.fr",
                "organisation": "Ville de test",
                "consent": "on",
                "website": "",
            }

        cpu = lambda: cpu_seconds(server.pid)  # noqa: E731
        product = load(base, f"{event_url}inscription/", args.attempts, args.clients, person, cpu=cpu)
        bare = load(
            base, "/bare/registration/", args.attempts, args.clients, lambda n: {"email": f"nu{n}@example.fr"}, cpu=cpu
        )
    finally:
        server.terminate()
        server.wait(timeout=20)

    from django.db import connection

    from events.models import Registration

    statuses = list(Registration.objects.filter(event_id=event_id).values_list("status", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_bare_registration")
        bare_rows = cursor.fetchone()[0]
    confirmed, waitlisted = statuses.count("confirmed"), statuses.count("waitlisted")
    errors = len(product["errors"])
    ratio = product["rate"] / bare["rate"]
    print()
    print(
        f"gunicorn {args.workers} workers × {args.threads} threads, PostgreSQL {args.url.rsplit('@', 1)[-1]}, "
        f"{args.clients} concurrent clients, {args.attempts} attempts, {args.seats} seats"
    )
    print(
        f"registrations: confirmed {confirmed}, waitlisted {waitlisted}, rows {len(statuses)}, errors {errors}"
        + (f" ({', '.join(sorted(set(product['errors'])))[:200]})" if errors else "")
    )
    print(
        f"registrations: {product['rate']:.1f}/s over {product['wall']:.1f} s; POST latency {percentiles(product['latencies'])}"
        + cpu_line(product, args.attempts)
    )
    print(
        f"bare view:     {bare['rate']:.1f}/s over {bare['wall']:.1f} s; POST latency {percentiles(bare['latencies'])}; "
        f"rows {bare_rows}, errors {len(bare['errors'])}" + cpu_line(bare, args.attempts)
    )
    print(f"throughput ratio registrations / bare view: {ratio:.2f}")
    met = confirmed == args.seats and waitlisted == args.attempts - args.seats and errors == 0 and ratio >= 0.25
    print(
        f"targets (exactly {args.seats} confirmed, {args.attempts - args.seats} waitlisted, 0 errors, ratio ≥ 0.25): "
        f"{'met' if met else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
