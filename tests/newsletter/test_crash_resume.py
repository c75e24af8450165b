"""Killing the worker in the middle of a send, then starting it again: everyone gets the issue exactly once.

A real `manage.py db_worker` process (django-tasks database backend) sends to a real local SMTP server;
the test kills it with SIGKILL between two messages, restarts it, and counts what the server received.
"""

import collections
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from newsletter.factories import NewsletterIndexPageFactory, NewsletterIssuePageFactory, SubscriberFactory
from newsletter.models import Delivery, DeliveryStatus

ROOT = Path(__file__).resolve().parents[2]
SUBSCRIBERS = 30


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


@pytest.mark.postgres
def test_a_killed_worker_resumes_without_skipping_or_repeating_anyone(
    transactional_db, core_site, smtp_server, settings
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (SKIP LOCKED, and a database the worker process shares): set DATABASE_URL")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.NEWSLETTER_PARALLEL_TASKS = 2
    settings.NEWSLETTER_SENDING_TIMEOUT = 1
    archive = NewsletterIndexPageFactory(parent=core_site)
    issue = NewsletterIssuePageFactory(parent=archive)
    emails = [SubscriberFactory().email for _ in range(SUBSCRIBERS)]

    from newsletter.sending import start_sending

    assert start_sending(issue) == SUBSCRIBERS

    eighth = threading.Event()
    smtp_server.on_message = lambda count: count == 8 and eighth.set()
    env = worker_environment(smtp_server.port)
    worker = start_worker(env)
    try:
        assert eighth.wait(60), worker.stderr.read1().decode() if worker.poll() is not None else "worker too slow"
        # The worker paces itself at 20 messages a second: 20 ms after the 8th message reached the server,
        # it has recorded it as sent and is waiting for its next slot. Kill it there, without warning.
        time.sleep(0.02)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    received_before_restart = len(smtp_server.received)
    assert received_before_restart < SUBSCRIBERS
    assert unfinished(issue) > 0

    restarted = start_worker(env)
    try:
        deadline = time.monotonic() + 90
        while unfinished(issue) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        restarted.send_signal(signal.SIGTERM)
        try:
            restarted.wait(15)
        except subprocess.TimeoutExpired:
            restarted.kill()

    counts = collections.Counter(r for received in smtp_server.received for r in received.recipients)
    assert sorted(counts) == sorted(emails), "somebody was skipped"
    assert set(counts.values()) == {1}, f"sent twice: {[e for e, n in counts.items() if n > 1]}"
    assert Delivery.objects.filter(issue=issue, status=DeliveryStatus.SENT).count() == SUBSCRIBERS
