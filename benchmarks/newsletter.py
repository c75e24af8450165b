"""One issue to 20,000 subscribers through a local SMTP server, with the real worker, against a bare smtplib loop.

    .venv/bin/python benchmarks/newsletter.py [--url postgres://…/newsletter_bench] [--subscribers 20000]

In one run: renders the issue (MJML time printed), creates the delivery rows, runs `manage.py db_worker
--batch` (a separate process, the database task backend, no throttle) until the issue is sent, then sends
the same prebuilt message to the same addresses with a bare smtplib loop over one connection. The SMTP
server (aiosmtpd) runs in its own process and counts messages and distinct recipients.
Targets (issue 6): product ≥ half the bare loop's rate; exactly 20,000 distinct recipients received.
"""

import argparse
import json
import os
import smtplib
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="postgres://postgres@127.0.0.1:5432/newsletter_bench")
    parser.add_argument("--subscribers", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2, help="db_worker processes (one send task each)")
    return parser.parse_args()


def ensure_database(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    def __init__(self, port):
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "benchmarks" / "newsletter_smtp.py"), str(port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout.readline().strip() == "ready"

    def command(self, text):
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def stats(self):
        return json.loads(self.command("stats"))

    def stop(self):
        self.process.stdin.write("quit\n")
        self.process.stdin.flush()
        self.process.wait(10)


def main():
    args = parse_args()
    ensure_database(args.url)
    port = free_port()
    os.environ["DATABASE_URL"] = args.url
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.newsletter_settings"
    os.environ["NEWSLETTER_BENCH_SMTP_PORT"] = str(port)
    os.environ["NEWSLETTER_BENCH_WORKERS"] = str(args.workers)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from hub import demo
    from newsletter.models import (
        Delivery,
        IssueRendering,
        IssueSend,
        NewsletterIndexPage,
        NewsletterIssuePage,
        Subscriber,
        SubscriberStatus,
    )
    from newsletter.rendering import render
    from newsletter.sending import build_message, start_sending

    print(f"database: {connection.vendor} {args.url.rsplit('@', 1)[-1]}")
    call_command("migrate", verbosity=0)
    demo.build_taxonomy()
    home = demo.build_site()
    index = NewsletterIndexPage.objects.child_of(home).first()
    if index is None:
        index = NewsletterIndexPage(title="Lettre d'information", slug="newsletter", locale=home.locale)
        home.add_child(instance=index)
        index.save_revision().publish()
    issue = NewsletterIssuePage.objects.child_of(index).filter(slug="banc-d-essai").first()
    if issue is None:
        paragraphs = "".join(
            f"<p>Paragraphe {n} : les villes du réseau racontent leurs projets de revitalisation, leurs "
            "réussites et leurs difficultés, pour que d'autres puissent s'en inspirer.</p>"
            for n in range(6)
        )
        issue = NewsletterIssuePage(
            title="Lettre de banc d'essai",
            slug="banc-d-essai",
            locale=index.locale,
            subject="Banc d'essai : la lettre des centralités",
            preheader="Un numéro complet pour mesurer l'envoi.",
            body=[
                {"type": "edito", "value": {"title": "Édito", "text": paragraphs, "signature": "L'équipe"}},
                {"type": "text", "value": {"title": "À lire", "text": paragraphs}},
                {"type": "featured_projects", "value": {"title": "Projets", "projects": [], "count": 3}},
                {"type": "new_resources", "value": {"title": "Ressources", "count": 3}},
                {"type": "upcoming_events", "value": {"title": "Rendez-vous", "count": 3}},
            ],
        )
        index.add_child(instance=issue)
        issue.save_revision().publish()
    # A fresh send each run.
    Delivery.objects.filter(issue=issue).delete()
    IssueSend.objects.filter(issue=issue).delete()
    IssueRendering.objects.filter(issue=issue).delete()
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()

    have = Subscriber.objects.filter(email__endswith="@banc.example").count()
    if have < args.subscribers:
        print(f"creating subscribers: {have} → {args.subscribers}…", flush=True)
        Subscriber.objects.bulk_create(
            [
                Subscriber(email=f"abonne{n:06d}@banc.example", status=SubscriberStatus.ACTIVE)
                for n in range(have, args.subscribers)
            ],
            batch_size=5000,
            ignore_conflicts=True,
        )
    Subscriber.objects.exclude(email__endswith="@banc.example").update(status=SubscriberStatus.UNSUBSCRIBED)
    Subscriber.objects.filter(email__endswith="@banc.example").update(status=SubscriberStatus.ACTIVE)
    total = Subscriber.objects.filter(status=SubscriberStatus.ACTIVE).count()

    renders = [render(issue, "fr").seconds for _ in range(5)]
    print(f"MJML render of the issue (mjml-python + css-inline): median {sorted(renders)[2] * 1000:.1f} ms")

    server = SmtpServer(port)
    try:
        started = time.perf_counter()
        added = start_sending(issue)
        rows_time = time.perf_counter() - started
        print(f"delivery rows created and tasks enqueued: {added} in {rows_time:.2f} s")

        env = {**os.environ}
        started = time.perf_counter()
        workers = [
            subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
                cwd=ROOT,
                env=env,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(args.workers)
        ]
        for worker in workers:
            assert worker.wait() == 0
        worker_time = time.perf_counter() - started
        product = server.stats()
        sent_rows = Delivery.objects.filter(issue=issue, status="sent").count()

        rendering = IssueRendering.objects.get(issue=issue, language="fr")
        addresses = list(
            Subscriber.objects.filter(status=SubscriberStatus.ACTIVE).order_by("pk").values_list("email", flat=True)
        )
        prebuilt = build_message(rendering, addresses[0], "jeton").message().as_bytes(linesep="\r\n")
        server.command("reset")
        started = time.perf_counter()
        smtp = smtplib.SMTP("127.0.0.1", port)
        for address in addresses:
            smtp.sendmail("ne-pas-repondre@centralites.localhost", [address], prebuilt)
        smtp.quit()
        bare_time = time.perf_counter() - started
        bare = server.stats()
    finally:
        server.stop()

    product_rate = product["messages"] / worker_time
    product_window_rate = product["messages"] / product["window"] if product["window"] else 0
    bare_rate = bare["messages"] / bare_time
    print(f"active subscribers: {total}; delivery rows sent: {sent_rows}; message size: {len(prebuilt)} bytes")
    print(
        f"product ({args.workers} db_worker process(es), start to exit): {product['messages']} messages in {worker_time:.2f} s "
        f"= {product_rate:.0f} msg/s (first→last message at the server: {product_window_rate:.0f} msg/s)"
    )
    print(
        f"bare smtplib loop, one connection: {bare['messages']} messages in {bare_time:.2f} s = {bare_rate:.0f} msg/s"
    )
    print(f"ratio product/bare: {product_rate / bare_rate:.2f} (server window: {product_window_rate / bare_rate:.2f})")
    print(f"distinct recipients received from the product: {product['distinct']} (target {total})")
    ok = product["distinct"] == total == product["messages"] and product_rate >= bare_rate / 2
    print("targets met" if ok else "TARGETS MISSED")


if __name__ == "__main__":
    main()
