"""Killing the worker three times in the middle of a send, then starting it again: everyone gets the issue.

A real `manage.py db_worker` process (django-tasks database backend) sends to a real local SMTP server;
the test kills it with SIGKILL at random points (after a random number of messages, at a random instant
between two of them), restarts it, and counts what the server received. Every active subscriber receives
the issue; the only message that may arrive twice is the one in flight at a kill (at most one per kill);
the send finishes within a minute of the last restart, and the killed worker's tasks do not stay "running".
The sending timeout is left at ten minutes: resuming does not wait for claims to go stale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_newsletter .venv/bin/pytest tests/newsletter/test_crash_resume.py
"""

import collections
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from newsletter.factories import NewsletterIndexPageFactory, NewsletterIssuePageFactory, SubscriberFactory
from newsletter.models import Delivery, DeliveryStatus
from newsletter.sending import start_sending

ROOT = Path(__file__).resolve().parents[2]
SUBSCRIBERS = 60
KILLS = 3
RESUME_WITHIN = 60  # seconds after the last restart


def worker_environment(smtp_port):
    settings_dict = connection.settings_dict
    url = (
        f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD'] or ''}@{settings_dict['HOST'] or '127.0.0.1'}:"
        f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
    )
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tests.newsletter.worker_settings"}
    env["NEWSLETTER_TEST_SMTP_PORT"] = str(smtp_port)
    return env


def start_worker(env):
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.1", "--no-startup-delay", "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def unfinished(issue):
    return Delivery.objects.filter(issue=issue, status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING]).count()


def running_tasks():
    return DBTaskResult.objects.running().count()


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    return condition()


@pytest.mark.postgres
def test_a_worker_killed_three_times_resumes_at_once_without_skipping_anyone(
    transactional_db, core_site, smtp_server, settings
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (advisory locks, SKIP LOCKED, a database the worker shares): set DATABASE_URL")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.NEWSLETTER_PARALLEL_TASKS = 2
    archive = NewsletterIndexPageFactory(parent=core_site)
    issue = NewsletterIssuePageFactory(parent=archive)
    emails = [SubscriberFactory().email for _ in range(SUBSCRIBERS)]

    assert start_sending(issue) == SUBSCRIBERS

    seed = int(os.environ.get("NEWSLETTER_CRASH_SEED") or time.time_ns() % 100_000)
    rng = random.Random(seed)
    env = worker_environment(smtp_server.port)
    for kill in range(KILLS):
        # Kill after 1 to 12 more messages, then 0 to 60 ms later: anywhere between two messages (20 a second),
        # in the SMTP exchange, in the "sent" mark, or between batches.
        target = len(smtp_server.received) + rng.randint(1, 12)
        reached = threading.Event()
        smtp_server.on_message = lambda count, target=target, reached=reached: count >= target and reached.set()
        worker = start_worker(env)
        try:
            assert reached.wait(60), f"seed {seed}, kill {kill + 1}: " + (
                worker.stderr.read1().decode() if worker.poll() is not None else "the worker did not resume"
            )
            time.sleep(rng.uniform(0, 0.06))
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
        finally:
            if worker.poll() is None:
                worker.kill()
    smtp_server.on_message = None
    assert unfinished(issue) > 0, f"seed {seed}: the send ended before the last kill"

    restarted_at = time.monotonic()
    last = start_worker(env)
    try:
        finished = wait_for(lambda: unfinished(issue) == 0, RESUME_WITHIN + 30)
        took = time.monotonic() - restarted_at
        # The killed worker's tasks are marked failed by the running worker's reclaimer.
        settled = wait_for(lambda: running_tasks() == 0, 30)
    finally:
        last.send_signal(signal.SIGTERM)
        try:
            last.wait(15)
        except subprocess.TimeoutExpired:
            last.kill()

    assert finished and took < RESUME_WITHIN, f"seed {seed}: finished={finished} after {took:.1f} s"
    counts = collections.Counter(r for received in smtp_server.received for r in received.recipients)
    assert sorted(counts) == sorted(emails), f"seed {seed}: somebody was skipped"
    duplicates = sum(n - 1 for n in counts.values())
    assert duplicates <= KILLS, f"seed {seed}: {duplicates} duplicates for {KILLS} kills"
    assert Delivery.objects.filter(issue=issue, status=DeliveryStatus.SENT).count() == SUBSCRIBERS
    assert settled, f"seed {seed}: tasks still 'running' after the send: {running_tasks()}"

    lost = DBTaskResult.objects.failed().filter(exception_class_path="newsletter.recovery.WorkerLost")
    assert 1 <= lost.count() <= KILLS
