"""What the benchmarks share: their PostgreSQL databases, built from one template, and the median timing.

The template `centralites_bench_tpl` is a migrated database with the territories imported (every commune
placed at its shipped point); it is made here the first time a benchmark needs it. A benchmark database is
created from it, migrated to the code measured, filled by `load_demo` at its size and ANALYZEd (this
server runs with autovacuum off).
"""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
SERVER = "postgres://postgres@127.0.0.1:5432"
TEMPLATE = "centralites_bench_tpl"


def run(command, env, label):
    """Run a command in the project, print how long it took, stop the benchmark if it fails."""
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stdout.write(result.stdout[-4000:])
        sys.stderr.write(result.stderr[-4000:])
        raise SystemExit(f"{Path(sys.argv[0]).stem}: {label} failed ({result.returncode})")
    print(f"   {label}: {time.monotonic() - started:.0f} s", flush=True)
    return result.stdout


def environment(name, settings="hub.settings.test"):
    return {**os.environ, "DATABASE_URL": f"{SERVER}/{name}", "DJANGO_SETTINGS_MODULE": settings}


def _exists(conn, name):
    return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def ensure_template():
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        if _exists(conn, TEMPLATE):
            return
        conn.execute(f'CREATE DATABASE "{TEMPLATE}"')
    env = environment(TEMPLATE)
    try:
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env, f"migrate {TEMPLATE}")
        run([PYTHON, "manage.py", "import_territories", "--no-index", "-v", "0"], env, f"import_territories {TEMPLATE}")
    except BaseException:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}"')
        raise


def prepare_database(name, demo, reload=False, demo_always=True, settings="hub.settings.test"):
    """The environment of database `name`, created from the template when missing (or `reload`), migrated,
    filled by `load_demo` with the options `demo` (always, or only when created) and ANALYZEd."""
    import psycopg

    ensure_template()
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        created = reload or not _exists(conn, name)
        if created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    env = environment(name, settings)
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env, f"migrate {name}")
    if created or demo_always:  # load_demo is idempotent: on an existing database it adds what it lacks
        run([PYTHON, "manage.py", "load_demo", *demo, "-v", "0"], env, f"load_demo {' '.join(demo)} into {name}")
    analyse([name])
    return env


def analyse(names):
    import psycopg

    for name in names:
        started = time.monotonic()
        with psycopg.connect(f"{SERVER}/{name}", autocommit=True) as conn:
            conn.execute("ANALYZE")
        print(f"   ANALYZE {name}: {time.monotonic() - started:.1f} s", flush=True)


def median_time(client, url, runs, consume=False, before_each=None):
    """(median seconds, bytes) of `runs` requests of `url` with Django's test client, after a warm-up;
    `before_each` runs before each timed request, `consume` reads a streamed body."""
    client.get(url)
    timings, size = [], 0
    for _ in range(runs):
        if before_each:
            before_each()
        started = time.perf_counter()
        response = client.get(url)
        body = b"".join(response.streaming_content) if consume else response.content
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        size = len(body)
    return statistics.median(timings), size
