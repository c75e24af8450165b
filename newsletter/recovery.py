"""Resuming a send after a worker was killed, within seconds of a worker (re)starting.

django-tasks-db keeps no heartbeat: a task whose worker died stays "running" forever, and so would the
delivery rows that worker had claimed. On PostgreSQL, liveness comes from session advisory locks, which
the server drops the instant a worker's connection goes away (a SIGKILL included):

- every task a database worker runs holds a lock named after the task's id while it runs (the
  `task_started` / `task_finished` signals);
- every `drain` holds a lock named after its holder id, which prefixes the claim of each batch it takes.

A "reclaimer" thread runs in every `manage.py db_worker` process, at start and then every
`NEWSLETTER_RECLAIM_INTERVAL` seconds (default 10). It marks failed the running tasks whose lock nobody
holds (any task, not only the newsletter's: their worker is gone), puts back in the queue the delivery rows
of drains whose lock nobody holds, and enqueues a drain for every send that has work left and no live or
pending drain. A restarted worker thus resumes a send at once, whatever was running when the other died.

Only the message in flight at the kill is ambiguous (the SMTP server may have accepted it just before the
row was marked sent): it is sent again, so a kill costs at most one duplicate, never a skipped subscriber.

Elsewhere than PostgreSQL (SQLite in development) there are no such locks: rows left "sending" are taken
again after `NEWSLETTER_SENDING_TIMEOUT`, and a drain is enqueued when ready rows wait with no fresh claim.
Session locks need a direct connection (or session pooling), not a transaction-pooling proxy.
"""

import hashlib
import logging
import os
import secrets
import sys
import threading
import time
import uuid
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks.signals import task_finished, task_started

from newsletter.tasks import send_issue

logger = logging.getLogger("newsletter")

SEND_TASK_PATH = "newsletter.tasks.send_issue"
# A task claimed by a worker takes its lock right after; younger "running" tasks are never judged.
GRACE = timedelta(seconds=2)

_held = set()  # keys this process holds: a process never judges itself dead
_held_lock = threading.Lock()


class WorkerLost(Exception):
    """The worker running this task stopped (killed, or lost its database connection) before it finished."""


def reclaim_interval():
    return float(settings.NEWSLETTER_RECLAIM_INTERVAL)


def locks_supported():
    return connection.vendor == "postgresql"


def _key(namespace, token):
    digest = hashlib.blake2b(f"{namespace}:{token}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def hold(namespace, token):
    """Takes the lock saying "(namespace, token) is alive" on this thread's connection."""
    if not locks_supported():
        return
    key = _key(namespace, token)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [key])
    with _held_lock:
        _held.add(key)


def release(namespace, token):
    if not locks_supported():
        return
    key = _key(namespace, token)
    with _held_lock:
        _held.discard(key)
    if connection.connection is None:
        return  # the connection is gone, and its locks with it
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
    except Exception:  # noqa: BLE001 — a broken connection has released its locks already
        logger.debug("newsletter: could not release lock %s:%s", namespace, token, exc_info=True)


def abandoned(namespace, token):
    """True when nobody holds the lock of (namespace, token): its holder died or finished."""
    key = _key(namespace, token)
    with _held_lock:
        if key in _held:
            return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        (free,) = cursor.fetchone()
        if free:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
    return bool(free)


def task_key(task_id):
    return uuid.UUID(str(task_id)).hex


# --- tasks ---------------------------------------------------------------------------------------------


def _is_database_backend(sender):
    try:
        from django_tasks_db.backend import DatabaseBackend  # noqa: PLC0415 — loads task models
    except ImportError:
        return False
    return isinstance(sender, type) and issubclass(sender, DatabaseBackend)


def on_task_started(sender, task_result, **kwargs):
    if _is_database_backend(sender):
        hold("task", task_key(task_result.id))


def on_task_finished(sender, task_result, **kwargs):
    if _is_database_backend(sender):
        release("task", task_key(task_result.id))


def connect_signals():
    task_started.connect(on_task_started, dispatch_uid="newsletter-task-lock")
    task_finished.connect(on_task_finished, dispatch_uid="newsletter-task-unlock")


def _database_backend_in_use():
    return any(conf["BACKEND"].startswith("django_tasks_db.") for conf in settings.TASKS.values())


def reclaim_dead_tasks(now=None):
    """Marks failed the "running" tasks whose worker is gone; returns them."""
    if not locks_supported() or not _database_backend_in_use():
        return []
    from django_tasks_db.models import DBTaskResult  # noqa: PLC0415

    now = now or timezone.now()
    dead = []
    for result in DBTaskResult.objects.running().filter(started_at__lt=now - GRACE):
        if abandoned("task", task_key(result.id)):
            workers = ", ".join(result.worker_ids[-1:]) or "?"
            result.set_failed(
                WorkerLost(f"Le worker {workers} s'est arrêté pendant cette tâche (reprise par un autre).")
            )
            logger.warning("newsletter: task %s (%s) of a stopped worker marked failed", result.id, result.task_path)
            dead.append(result)
    return dead


# --- deliveries ----------------------------------------------------------------------------------------

HOLDER_LENGTH = 12


def new_holder():
    return secrets.token_hex(HOLDER_LENGTH // 2)


def release_abandoned(issue_id):
    """Puts back in the queue the rows claimed by drains that are no longer alive; returns how many."""
    if not locks_supported():
        return 0
    from newsletter.models import Delivery, DeliveryStatus  # noqa: PLC0415

    claims = (
        Delivery.objects.filter(issue_id=issue_id, status=DeliveryStatus.SENDING)
        .exclude(claim="")
        .values_list("claim", flat=True)
        .distinct()
    )
    released = 0
    for holder in {claim[:HOLDER_LENGTH] for claim in claims}:
        if abandoned("drain", holder):
            released += Delivery.objects.filter(
                issue_id=issue_id, status=DeliveryStatus.SENDING, claim__startswith=holder
            ).update(status=DeliveryStatus.QUEUED, claim="", claimed_at=None, next_attempt_at=None)
    if released:
        logger.warning("newsletter %s: %s rows of a stopped worker put back in the queue", issue_id, released)
    return released


def _send_tasks(issue_id):
    from django_tasks_db.models import DBTaskResult  # noqa: PLC0415

    tasks = DBTaskResult.objects.filter(task_path=SEND_TASK_PATH, status__in=["READY", "RUNNING"])
    return [task for task in tasks if (task.args_kwargs or {}).get("args") == [issue_id]]


def has_live_drain(issue_id, now=None):
    """A drain of this issue is pending or running in a live worker."""
    from newsletter.models import Delivery, DeliveryStatus  # noqa: PLC0415
    from newsletter.sending import sending_timeout  # noqa: PLC0415

    tasks = _send_tasks(issue_id)
    if any(task.status == "READY" for task in tasks):
        return True
    running = [task for task in tasks if task.status == "RUNNING"]
    now = now or timezone.now()
    if any(task.started_at and task.started_at >= now - GRACE for task in running):
        return True  # just claimed: its lock may not be taken yet
    if locks_supported():
        return any(not abandoned("task", task_key(task.id)) for task in running)
    fresh = now - timedelta(seconds=sending_timeout())
    return (
        bool(running)
        and Delivery.objects.filter(issue_id=issue_id, status=DeliveryStatus.SENDING, claimed_at__gte=fresh).exists()
    )


def resume_sends():
    """For every send with work left: frees a dead worker's rows and makes sure a drain will run."""
    if not _database_backend_in_use():
        return []
    from newsletter.models import IssueSend  # noqa: PLC0415
    from newsletter.sending import remaining  # noqa: PLC0415

    resumed = []
    # One send per issue, a dozen a year: each checked on the (issue, status) index.
    for issue_id in list(IssueSend.objects.values_list("issue_id", flat=True)):
        if not remaining(issue_id):
            continue
        release_abandoned(issue_id)
        if not has_live_drain(issue_id):
            send_issue.enqueue(issue_id)
            resumed.append(issue_id)
            logger.warning("newsletter %s: no live drain, one enqueued", issue_id)
    return resumed


def reclaim():
    """One round of the reclaimer: dead tasks failed, dead rows queued again, stalled sends resumed."""
    dead = reclaim_dead_tasks()
    resumed = resume_sends()
    return dead, resumed


# --- the reclaimer thread of db_worker processes ---------------------------------------------------------


def is_worker_process(argv=None):
    argv = sys.argv if argv is None else argv
    if len(argv) < 2 or argv[1] != "db_worker":
        return False
    reloading = "--reload" in argv or (settings.DEBUG and "--no-reload" not in argv)
    # With the autoreloader, only the child process (the one running tasks) reclaims.
    return not reloading or os.environ.get("RUN_MAIN") == "true"


def _loop(interval):
    while not apps.ready:
        time.sleep(0.05)
    while True:
        try:
            reclaim()
        except Exception:  # noqa: BLE001 — try again next round
            logger.exception("newsletter: the reclaimer's round failed")
        finally:
            close_old_connections()
            connection.close()
        time.sleep(interval)


def start_reclaimer():
    interval = reclaim_interval()
    if interval <= 0:
        return None
    thread = threading.Thread(target=_loop, args=(interval,), name="newsletter-reclaimer", daemon=True)
    thread.start()
    return thread
