"""Sending an issue: delivery rows first, then workers that claim them in batches and send each once.

- `start_sending` renders the issue once per language, creates one `Delivery` per recipient (bulk, ignoring
  rows that exist, so sending again never sends twice) and enqueues drain tasks.
- `drain` (run by the `send_issue` task) claims batches with SELECT … FOR UPDATE SKIP LOCKED (a
  conditional UPDATE makes the claim safe on SQLite too), marks them "sending", sends them over one SMTP
  connection, and marks each row sent as soon as the server accepted it. Rows left "sending" by a worker
  that died are put back in the queue as soon as a worker starts (PostgreSQL advisory locks, see
  `newsletter.recovery`), elsewhere after `NEWSLETTER_SENDING_TIMEOUT`; each worker's reclaimer also
  enqueues a drain for a send that has work left and nobody working on it.
- A temporary SMTP failure (4xx, disconnection) puts the batch back with an exponential backoff; after
  `NEWSLETTER_MAX_ATTEMPTS` a row is marked failed. A 5xx refusal fails that row at once.

Only the message in flight when a worker is killed is ambiguous (the server may have accepted it in the
instant before the row was marked sent): it is sent again rather than skipped.
"""

import logging
import secrets
import smtplib
import time
from datetime import timedelta
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Count, F, Min, Q
from django.utils import timezone
from django.utils.translation import gettext
from django_tasks import default_task_backend
from wagtail.log_actions import log

from hub.cache import pages_changed
from newsletter.drafting import PLACEHOLDER, placeholder_blocks
from newsletter.models import (
    Delivery,
    DeliveryStatus,
    IssueRendering,
    IssueSend,
    NewsletterIssuePage,
    Subscriber,
    SubscriberStatus,
)
from newsletter.recovery import hold, new_holder, release, release_abandoned
from newsletter.rendering import TOKEN_PLACEHOLDER, ensure_renderings, render, source_issue, unsubscribe_url
from newsletter.tasks import send_issue

logger = logging.getLogger("newsletter")

RECIPIENT_PLACEHOLDER = "xnlrecipientx@placeholder.invalid"
MESSAGE_ID_PLACEHOLDER = "XNLMESSAGEIDX"


def batch_size():
    return max(1, int(settings.NEWSLETTER_BATCH_SIZE))


def max_per_second():
    return float(settings.NEWSLETTER_MAX_PER_SECOND)


def sending_timeout():
    """How long a claimed row may stay "sending" before another worker takes it (≥ a batch's duration)."""
    configured = float(settings.NEWSLETTER_SENDING_TIMEOUT)
    rate = max_per_second()
    return max(configured, 3 * batch_size() / rate) if rate else configured


def retry_delay(attempts):
    base = float(settings.NEWSLETTER_RETRY_DELAY)
    return min(base * 2 ** max(attempts - 1, 0), float(settings.NEWSLETTER_RETRY_MAX_DELAY))


def max_attempts():
    return int(settings.NEWSLETTER_MAX_ATTEMPTS)


class SendError(Exception):
    pass


# --- starting a send ---------------------------------------------------------------------------------


def recipients(programmes=(), thematics=()):
    """Active subscribers; with a segment, those who chose at least one of its programmes or thematics."""
    queryset = Subscriber.objects.filter(status=SubscriberStatus.ACTIVE)
    if programmes or thematics:
        segment = Q(programmes__translation_key__in=[p.translation_key for p in programmes]) | Q(
            thematics__translation_key__in=[t.translation_key for t in thematics]
        )
        queryset = queryset.filter(segment).distinct()
    return queryset


def start_sending(issue, *, programmes=(), thematics=(), user=None):
    """Creates the delivery rows of a send and enqueues the tasks; returns how many rows were added."""
    issue = source_issue(issue).specific
    if not issue.live:
        raise SendError("Publiez ce numéro avant de l'envoyer : le lien « lire dans le navigateur » doit fonctionner.")
    unfinished = unfinished_blocks(issue)
    if unfinished:
        raise SendError(placeholder_message(unfinished))
    ensure_renderings(issue)
    with transaction.atomic():
        send, created = IssueSend.objects.get_or_create(issue=issue, defaults={"requested_by": user})
        if created:
            # The archive lists sent issues only: the archive, the home page and the issue's own URLs (in
            # every language) must show it from now on; other cached pages stay.
            transaction.on_commit(lambda: pages_changed(list(issue.get_translations(inclusive=True))))
        send.programmes.add(*programmes)
        send.thematics.add(*thematics)
        before = Delivery.objects.filter(issue=issue).count()
        ids = recipients(programmes, thematics).values_list("pk", flat=True).order_by("pk")
        Delivery.objects.bulk_create(
            (Delivery(issue=issue, subscriber_id=pk) for pk in ids.iterator(chunk_size=5000)),
            ignore_conflicts=True,
            batch_size=2000,
        )
        added = Delivery.objects.filter(issue=issue).count() - before
        # In the page's history (Wagtail's log): who sent it, to how many, to which segment.
        log(
            instance=issue,
            action="newsletter.send",
            user=user,
            data={
                "recipients": added,
                "programmes": [programme.name for programme in programmes],
                "thematics": [thematic.name for thematic in thematics],
            },
        )
    enqueue_drains(issue.pk)
    return added


def unfinished_blocks(issue):
    """The blocks of the live issue (or of its live translations) that still hold the drafting placeholder."""
    found = []
    versions = NewsletterIssuePage.objects.filter(translation_key=issue.translation_key).live()
    for page in [issue, *versions.exclude(pk=issue.pk)]:
        for label in placeholder_blocks(page):
            if label not in found:
                found.append(label)
    return found


def placeholder_message(labels):
    return gettext(
        "Ce numéro contient encore le texte provisoire « %(placeholder)s » (%(blocks)s) : remplacez-le et "
        "publiez avant d'envoyer."
    ) % {"placeholder": PLACEHOLDER, "blocks": ", ".join(labels)}


def english_fallback(issue, programmes=(), thematics=()):
    """How many English-speaking recipients of this send would get the French issue (no live English version).

    Counts only recipients who have not received the issue yet; 0 when a live English translation exists.
    """
    issue = source_issue(issue)
    languages = set(
        NewsletterIssuePage.objects.filter(translation_key=issue.translation_key)
        .live()
        .values_list("locale__language_code", flat=True)
    )
    pending = recipients(programmes, thematics).exclude(deliveries__issue=issue)
    missing = pending.exclude(language__in=languages | {settings.LANGUAGE_CODE})
    return {
        "recipients": pending.count(),
        "fallback": missing.count(),
        "languages": sorted(languages),
    }


def enqueue_drains(issue_id):
    for _n in range(max(1, int(settings.NEWSLETTER_PARALLEL_TASKS))):
        send_issue.enqueue(issue_id)


def send_test(issue, email, user=None):
    """Sends the issue to one address, marked as a test; creates no delivery, marks nothing sent (the page's
    history keeps a line of it)."""
    # The latest revision, published or not: a test is how an editor checks a draft.
    page = issue.specific.get_latest_revision_as_object()
    rendered = render(page, page.locale.language_code)
    message = build_message(rendered, email, "essai", subject_prefix="[TEST] ")
    sent = message.send()
    log(instance=issue.specific, action="newsletter.test_send", user=user, data={"email": email})
    return sent


# --- building messages -------------------------------------------------------------------------------


def list_headers(token):
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(token)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"Lettre d’information <lettre.{_domain()}>",
        "Precedence": "bulk",
    }


def _domain():
    return urlsplit(settings.SITE_BASE_URL).hostname or "localhost"


def build_message(rendering, email, token, subject_prefix="", message_id=None):
    headers = list_headers(token)
    headers["Message-ID"] = message_id or make_msgid(domain=_domain())
    message = EmailMultiAlternatives(
        subject=subject_prefix + rendering.subject,
        body=rendering.text.replace(TOKEN_PLACEHOLDER, token),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email],
        headers=headers,
    )
    message.attach_alternative(rendering.html.replace(TOKEN_PLACEHOLDER, token), "text/html")
    return message


class RawTemplate:
    """The MIME bytes of a rendering built once, with placeholders for the recipient, token and Message-ID.

    Used over a plain SMTP connection so 20,000 sends cost a bytes replacement each; `usable` is false if
    an encoder split a placeholder (then messages are built one by one instead).
    """

    def __init__(self, rendering):
        message = build_message(
            rendering,
            RECIPIENT_PLACEHOLDER,
            TOKEN_PLACEHOLDER,
            message_id=f"<{MESSAGE_ID_PLACEHOLDER}@{_domain()}>",
        )
        self.from_email = message.from_email
        self.data = message.message().as_bytes(linesep="\r\n")
        expected_tokens = rendering.html.count(TOKEN_PLACEHOLDER) + rendering.text.count(TOKEN_PLACEHOLDER) + 1
        self.usable = (
            self.data.count(TOKEN_PLACEHOLDER.encode()) == expected_tokens
            and self.data.count(RECIPIENT_PLACEHOLDER.encode()) == 1
            and self.data.count(MESSAGE_ID_PLACEHOLDER.encode()) == 1
        )

    def for_recipient(self, email, token, message_key):
        return (
            self.data.replace(TOKEN_PLACEHOLDER.encode(), token.encode())
            .replace(RECIPIENT_PLACEHOLDER.encode(), email.encode())
            .replace(MESSAGE_ID_PLACEHOLDER.encode(), message_key.encode())
        )


class Pacer:
    """Keeps this worker under NEWSLETTER_MAX_PER_SECOND messages per second."""

    def __init__(self, rate):
        self.interval = 1.0 / rate if rate else 0.0
        self.next_at = time.monotonic()

    def wait(self):
        if not self.interval:
            return
        now = time.monotonic()
        if self.next_at > now:
            time.sleep(self.next_at - now)
        self.next_at = max(self.next_at, now) + self.interval


class TemporaryFailure(Exception):
    pass


class PermanentFailure(Exception):
    pass


def _classify(error):
    code = getattr(error, "smtp_code", None)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [value[0] for value in error.recipients.values()]
        code = codes[0] if codes else None
    if isinstance(code, int) and 500 <= code < 600:
        return PermanentFailure(f"{code} {getattr(error, 'smtp_error', error)!s}"[:500])
    return TemporaryFailure(f"{type(error).__name__}: {error}"[:500])


class Sender:
    """One connection to the email backend for a batch; raw SMTP bytes when the backend is Django's SMTP."""

    def __init__(self, renderings):
        self.renderings = renderings
        self.backend = get_connection(fail_silently=False)
        self.raw = isinstance(self.backend, SmtpBackend)
        self.templates = {}
        self.opened = False

    def _rendering(self, language):
        return self.renderings.get(language) or self.renderings.get(settings.LANGUAGE_CODE)

    def open(self):
        if not self.opened:
            self.backend.open()
            self.opened = True

    def close(self):
        if self.opened:
            try:
                self.backend.close()
            except Exception:  # noqa: BLE001 — the connection may already be gone
                pass
            self.opened = False

    def send(self, row):
        rendering = self._rendering(row["subscriber__language"])
        email, token = row["subscriber__email"], row["subscriber__token"]
        key = f"nl.{rendering.issue_id}.{row['pk']}.{secrets.token_hex(4)}"
        try:
            self.open()
            if self.raw and email.isascii():
                template = self.templates.get(rendering.language)
                if template is None:
                    template = self.templates[rendering.language] = RawTemplate(rendering)
                if template.usable:
                    self.backend.connection.sendmail(
                        template.from_email, [email], template.for_recipient(email, token, key)
                    )
                    return
            message = build_message(rendering, email, token, message_id=f"<{key}@{_domain()}>")
            self.backend.send_messages([message])
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise _classify(error) from error
        except Exception as error:  # noqa: BLE001 — a provider's API error: retry later
            self.close()
            raise TemporaryFailure(f"{type(error).__name__}: {error}"[:500]) from error


# --- claiming and draining ---------------------------------------------------------------------------


def _ready(now):
    stale = now - timedelta(seconds=sending_timeout())
    return Q(status=DeliveryStatus.QUEUED) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=stale
    )


def claim_batch(issue_id, size=None, now=None, holder=None):
    """Claims up to `size` ready rows for this worker; returns (claim id, rows as dicts).

    The claim starts with `holder`, the id of the drain whose advisory lock says it is alive (see recovery).
    """
    now = now or timezone.now()
    claim = (holder or new_holder()) + secrets.token_hex(4)
    ready = _ready(now)
    with transaction.atomic():
        candidates = Delivery.objects.filter(issue_id=issue_id).filter(ready).order_by("pk")
        if db_connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[: size or batch_size()])
        if not ids:
            return claim, []
        # The condition is repeated so that, where SKIP LOCKED does not exist, a row is claimed once.
        Delivery.objects.filter(pk__in=ids).filter(ready).update(
            status=DeliveryStatus.SENDING, claimed_at=now, claim=claim
        )
    rows = list(
        Delivery.objects.filter(claim=claim, status=DeliveryStatus.SENDING)
        .order_by("pk")
        .values(
            "pk",
            "attempts",
            "subscriber_id",
            "subscriber__email",
            "subscriber__token",
            "subscriber__language",
            "subscriber__status",
        )
    )
    return claim, rows


def _mark(pk, held_by, **fields):
    # `held_by` (our claim) guards against writing over a row another worker re-claimed after a timeout.
    return Delivery.objects.filter(pk=pk, claim=held_by).update(**fields)


def send_batch(issue_id, claim, rows, sender, pacer):
    """Sends the claimed rows; returns False when a temporary failure put the rest of the batch back."""
    for index, row in enumerate(rows):
        if row["subscriber_id"] is None or row["subscriber__status"] != SubscriberStatus.ACTIVE:
            _mark(row["pk"], claim, status=DeliveryStatus.FAILED, claim="", error="Abonnement arrêté avant l'envoi.")
            continue
        pacer.wait()
        attempts = row["attempts"] + 1
        try:
            sender.send(row)
        except TemporaryFailure as failure:
            now = timezone.now()
            if attempts >= max_attempts():
                _mark(row["pk"], claim, status=DeliveryStatus.FAILED, attempts=attempts, claim="", error=str(failure))
                continue
            else:
                retry_at = now + timedelta(seconds=retry_delay(attempts))
                _mark(
                    row["pk"],
                    claim,
                    status=DeliveryStatus.QUEUED,
                    attempts=attempts,
                    next_attempt_at=retry_at,
                    claim="",
                    error=str(failure),
                )
                # The server is unwell: the rest of the batch waits with this row instead of failing too.
                rest = [r["pk"] for r in rows[index + 1 :]]
                Delivery.objects.filter(pk__in=rest, claim=claim, status=DeliveryStatus.SENDING).update(
                    status=DeliveryStatus.QUEUED, next_attempt_at=retry_at, claim=""
                )
            logger.warning("newsletter %s: temporary failure, backing off: %s", issue_id, failure)
            return False
        except PermanentFailure as failure:
            _mark(row["pk"], claim, status=DeliveryStatus.FAILED, attempts=attempts, claim="", error=str(failure))
            continue
        mark_sent(row["pk"], claim, attempts)
    return True


def mark_sent(pk, held_by, attempts):
    """The hot path (once per message): one plain UPDATE, without the ORM's per-call overhead."""
    table = Delivery._meta.db_table
    with db_connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, attempts = %s, sent_at = %s, claim = '' WHERE id = %s AND claim = %s",
            [DeliveryStatus.SENT.value, attempts, timezone.now(), pk, held_by],
        )


def remaining(issue_id):
    return Delivery.objects.filter(
        issue_id=issue_id, status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING]
    ).exists()


def _backend_defers():
    return default_task_backend.supports_defer


def drain(issue_id):
    """Sends every ready row of the issue; returns the number of rows this call sent or settled.

    The drain holds an advisory lock for as long as it runs (PostgreSQL): if its worker dies, the rows it
    claimed are put back in the queue by the next drain or by a worker's reclaimer (see recovery).
    """
    release_abandoned(issue_id)
    if not remaining(issue_id):
        return 0
    holder = new_holder()
    hold("drain", holder)
    renderings = {r.language: r for r in IssueRendering.objects.filter(issue_id=issue_id)}
    sender = Sender(renderings)
    pacer = Pacer(max_per_second())
    handled = 0
    inline_wait = float(settings.NEWSLETTER_MAX_INLINE_WAIT)
    asynchronous_commits(True)
    try:
        while True:
            claim, rows = claim_batch(issue_id, holder=holder)
            if rows:
                send_batch(issue_id, claim, rows, sender, pacer)
                handled += len(rows)
                continue
            if release_abandoned(issue_id):
                continue  # a stopped worker's rows are ours to send now
            waiting = Delivery.objects.filter(issue_id=issue_id, status=DeliveryStatus.QUEUED).aggregate(
                next_at=Min("next_attempt_at")
            )["next_at"]
            if waiting is None:
                return handled  # nothing queued; rows still "sending" belong to live drains (or the reclaimer)
            delay = (waiting - timezone.now()).total_seconds()
            if delay > inline_wait and _backend_defers():
                send_issue.using(run_after=waiting).enqueue(issue_id)
                return handled
            sender.close()
            time.sleep(max(delay, 0) + 0.01)
    finally:
        sender.close()
        asynchronous_commits(False)
        release("drain", holder)


def asynchronous_commits(on):
    """On PostgreSQL, the per-message "sent" marks commit without waiting for the disk flush.

    A killed worker loses nothing (PostgreSQL has the commit); only a crash of the database server itself
    could forget the last fraction of a second of marks, and those messages would then be sent again
    rather than skipped. Without it, every message waits for an fsync and the send runs at half speed.
    """
    if db_connection.vendor != "postgresql" or not settings.NEWSLETTER_ASYNC_COMMIT:
        return
    with db_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off" if on else "RESET synchronous_commit")


# --- figures ------------------------------------------------------------------------------------------


FIGURES = ("total", "queued", "sending", "sent", "failed", "bounced", "complained", "unsubscribed")


def figures_by_issue(issue_ids):
    """Every issue's figures in one aggregate query, grouped by issue: {issue id: figures}.

    An unsubscription counts for an issue when the person received it and left after it was queued for them.
    Issues without deliveries get zeros.
    """
    counted = {
        row.pop("issue_id"): row
        for row in Delivery.objects.filter(issue_id__in=issue_ids)
        .order_by()
        .values("issue_id")
        .annotate(
            total=Count("pk"),
            queued=Count("pk", filter=Q(status=DeliveryStatus.QUEUED)),
            sending=Count("pk", filter=Q(status=DeliveryStatus.SENDING)),
            sent=Count("pk", filter=Q(status=DeliveryStatus.SENT)),
            failed=Count("pk", filter=Q(status=DeliveryStatus.FAILED)),
            bounced=Count("pk", filter=Q(bounced_at__isnull=False)),
            complained=Count("pk", filter=Q(complained_at__isnull=False)),
            unsubscribed=Count(
                "pk",
                filter=Q(
                    status=DeliveryStatus.SENT,
                    subscriber__status=SubscriberStatus.UNSUBSCRIBED,
                    subscriber__unsubscribed_at__gte=F("created_at"),
                ),
            ),
            started_at=Min("created_at"),
        )
    }
    return {issue_id: _with_progress(counted.get(issue_id)) for issue_id in issue_ids}


def _with_progress(row):
    row = row or dict.fromkeys(FIGURES, 0) | {"started_at": None}
    done = row["sent"] + row["failed"]
    return {
        **{name: row[name] for name in FIGURES},
        "running": row["total"] > done,
        "percent": round(100 * done / row["total"]) if row["total"] else 0,
        "started_at": row["started_at"],
    }


def figures(issue):
    """One issue's figures for the admin (those of its source issue, for a translation)."""
    issue = source_issue(issue)
    return figures_by_issue([issue.pk])[issue.pk]
