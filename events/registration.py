"""Seats: registering, cancelling, promoting from the waiting list — never more people than places.

Every change that can take or free a seat runs inside one transaction that first locks the event row
(and the chosen sessions' rows) with SELECT … FOR UPDATE, then counts, then writes. Two requests for
the last seat therefore queue on the lock instead of both reading "one seat left" (pretix's approach).
On SQLite, write transactions are serialised anyway and the lock is a no-op.

The common registration (no sessions, no approval) takes a shorter way through the same lock: its row
is inserted as waitlisted first (the unique constraint answers an address already registered, before any
lock), then a single round trip locks the event row, confirms the registration if a seat is free — in a
later statement, which therefore counts after the lock is granted — and commits, as one BEGIN … COMMIT block (see take_seat). The
lock is thus held for no longer than the server takes to run those statements: the lock, count, insert,
commit order held it across four round trips, and under load the other registrations queued behind a
holder that was waiting for the CPU or the GIL between them.
"""

from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import CancelReason, EventPage, EventSession, Registration, RegistrationStatus

# Switch for the concurrency test, which shows that without the lock seats get oversold.
LOCK_CAPACITY = True

S = RegistrationStatus


class RegistrationError(Exception):
    """A registration cannot be taken or changed; `field` names the form field the message belongs to."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


def lock_event(event_id, session_ids=()):
    """Locks the event row (and reads it in the same query), then the sessions' rows in a fixed order
    so that two requests never wait for each other in opposite orders."""
    queryset = EventPage.objects.select_for_update(of=("self",)) if LOCK_CAPACITY else EventPage.objects
    event = queryset.get(pk=event_id)
    if LOCK_CAPACITY and session_ids:
        list(
            EventSession.objects.select_for_update()
            .filter(pk__in=sorted(session_ids))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    return event


def seats_taken(event_id, exclude=None):
    queryset = Registration.objects.filter(event_id=event_id, status__in=Registration.HOLDING)
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude)
    return queryset.count()


def session_seats_taken(session_ids, exclude=None):
    links = Registration.sessions.through.objects.filter(
        eventsession_id__in=session_ids, registration__status__in=Registration.HOLDING
    )
    if exclude is not None:
        links = links.exclude(registration_id=exclude)
    counts = dict(links.values_list("eventsession_id").annotate(n=Count("id")).order_by())
    return {session_id: counts.get(session_id, 0) for session_id in session_ids}


def room_for(event, session_ids, exclude=None):
    """(event has a seat, list of full sessions) for one more person, not counting `exclude`."""
    event_ok = event.capacity is None or seats_taken(event.pk, exclude) < event.capacity
    sessions = list(EventSession.objects.filter(pk__in=session_ids, event_id=event.pk).exclude(capacity=None))
    taken = session_seats_taken([s.pk for s in sessions], exclude) if sessions else {}
    full = [s for s in sessions if taken[s.pk] >= s.capacity]
    return event_ok, full


_EVENT = EventPage._meta.db_table
_EVENT_PK = EventPage._meta.pk.column
_REGISTRATION = Registration._meta.db_table


def seat_statements(event_id, registration_id, now):
    """The SQL of take_seat, as (name, sql, params), in order:

    - lock: the event row, FOR UPDATE;
    - confirm: the registration, if the event (read after the lock was granted, as every later statement
      of a READ COMMITTED transaction is) still takes registrations without approval and has a seat;
    - discard: the registration, if it is still waitlisted and the event has no waiting list or stopped
      taking registrations this way — the general path then decides and explains.
    """
    quote = connection.ops.quote_name
    when = connection.ops.adapt_datetimefield_value(now)
    event = f"{_EVENT} e WHERE e.{quote(_EVENT_PK)} = %s AND e.registration_enabled AND NOT e.approval_required"
    event += " AND (e.registration_opens_at IS NULL OR e.registration_opens_at <= %s)"
    event += f" AND %s < COALESCE(e.registration_closes_at, e.{quote('start')})"
    event_params = [event_id, when, when]
    holding = [status.value for status in Registration.HOLDING]
    statements = []
    if LOCK_CAPACITY and connection.features.has_select_for_update:
        statements.append(("lock", f"SELECT 1 FROM {_EVENT} WHERE {quote(_EVENT_PK)} = %s FOR UPDATE", [event_id]))
    statements.append(
        (
            "confirm",
            f"UPDATE {_REGISTRATION} SET status = %s, confirmed_at = %s, waitlisted_at = NULL WHERE id = %s "
            f"AND EXISTS (SELECT 1 FROM {event} AND (e.capacity IS NULL OR e.capacity > (SELECT COUNT(*) "
            f"FROM {_REGISTRATION} h WHERE h.event_id = %s AND h.status IN (%s, %s))))",
            [S.CONFIRMED.value, when, registration_id, *event_params, event_id, *holding],
        )
    )
    statements.append(
        (
            "discard",
            f"DELETE FROM {_REGISTRATION} WHERE id = %s AND status = %s "
            f"AND NOT EXISTS (SELECT 1 FROM {event} AND e.waitlist_enabled)",
            [registration_id, S.WAITLISTED.value, *event_params],
        )
    )
    return statements


def take_seat(event_id, registration_id, now, own_transaction=False):
    """Runs seat_statements; returns "confirmed", "waitlisted" or "discarded".

    With `own_transaction` (PostgreSQL, Django in autocommit, client-side parameter binding, which is
    Django's default) the statements are sent in one round trip as their own BEGIN … COMMIT block: the
    server releases the lock as soon as it has run them, whatever the Python process is doing. Otherwise
    they run one by one inside the caller's transaction, which commits.
    """
    statements = seat_statements(event_id, registration_id, now)
    counts = {}
    with connection.cursor() as cursor:
        if own_transaction:
            sql = "; ".join(["BEGIN", *(sql for _name, sql, _params in statements), "COMMIT"])
            try:
                cursor.execute(sql, [param for _name, _sql, params in statements for param in params])
                cursor.nextset()  # BEGIN
                for name, _sql, _params in statements:
                    counts[name] = cursor.rowcount
                    cursor.nextset()
            except Exception:
                cursor.execute("ROLLBACK")  # leave no aborted transaction on the connection
                raise
        else:
            for name, sql, params in statements:
                cursor.execute(sql, params)
                counts[name] = cursor.rowcount
    if counts["confirm"] == 1:
        return "confirmed"
    return "discarded" if counts["discard"] == 1 else "waitlisted"


def _own_transaction_possible():
    return (
        connection.vendor == "postgresql"
        and not connection.settings_dict["OPTIONS"].get("server_side_binding")
        and connection.get_autocommit()
        and not connection.in_atomic_block
    )


def _fill_person(registration, data, email, user, language, now):
    for field in ("first_name", "last_name", "organisation", "role", "commune", "accessibility_needs"):
        setattr(registration, field, data.get(field) or ("" if field != "commune" else None))
    registration.email = email
    registration.answers = data.get("answers") or {}
    registration.consent_at = now if data.get("consent") else registration.consent_at
    registration.user = user if getattr(user, "is_authenticated", False) else None
    registration.language = language


def _register_new(event, data, email, user, language, now):
    """The short way (see the module's docstring): the new row, waitlisted, then take_seat. Returns the
    registration, or None when take_seat discarded it (the general path decides). Raises IntegrityError
    when the address already has a registration for the event."""
    registration = Registration(event=event, status=S.WAITLISTED, waitlisted_at=now)
    _fill_person(registration, data, email, user, language, now)
    if _own_transaction_possible():
        # The row is committed first (autocommit), then the seat is decided in its own short transaction;
        # a row the seat step discards is deleted in that same transaction.
        registration.save()
        try:
            outcome = take_seat(event.pk, registration.pk, now, own_transaction=True)
        except Exception:
            Registration.objects.filter(pk=registration.pk).delete()  # nothing half-taken stays behind
            raise
    else:
        with transaction.atomic():
            registration.save()
            outcome = take_seat(event.pk, registration.pk, now)
    if outcome == "discarded":
        return None
    if outcome == "confirmed":
        registration.status, registration.confirmed_at, registration.waitlisted_at = S.CONFIRMED, now, None
    notify(registration, "confirmation" if outcome == "confirmed" else "waitlist")
    return registration


def _full_sessions_message(full):
    names = ", ".join(s.title for s in full)
    return _("Plus de place dans : %(sessions)s. Choisissez une autre session.") % {"sessions": names}


def _after_commit(task, *args):
    transaction.on_commit(lambda: task.enqueue(*args))


def notify(registration, kind):
    from events.tasks import send_registration_notice

    _after_commit(send_registration_notice, registration.pk, kind)


def register(event, data, sessions=(), user=None, language="fr", now=None):
    """Takes a registration for `event` and returns (registration, created).

    `data` holds the cleaned person fields (first_name, last_name, email, organisation, role, commune,
    answers, accessibility_needs). When the address already has an active registration, that one is
    returned with created=False and nothing changes. Raises RegistrationError when closed or full.
    """
    now = now or timezone.now()
    email = data["email"].strip().lower()
    session_ids = sorted({s.pk for s in sessions})
    # The short way only when nobody waits: a newcomer never takes a seat someone is waiting for (the
    # general way promotes the waiting list first, under the lock).
    nobody_waits = not Registration.objects.filter(event_id=event.pk, status=S.WAITLISTED).exists()
    if not session_ids and not event.approval_required and nobody_waits:
        try:
            registration = _register_new(event, data, email, user, language, now)
        except IntegrityError:
            registration = None  # the address is taken: answered (or a cancelled one revived) below
        if registration is not None:
            return registration, True
    # Read before taking the lock: an address already registered never waits for it. A concurrent
    # insert for the same address is caught by the unique constraint below.
    existing = Registration.objects.filter(event_id=event.pk, email=email).first()
    if existing is not None and existing.is_active:
        return existing, False
    try:
        with transaction.atomic():
            event = lock_event(event.pk, session_ids)
            if existing is not None:
                existing = Registration.objects.get(pk=existing.pk)
                if existing.is_active:
                    return existing, False
            if not event.window_open(now):
                raise RegistrationError(_("Les inscriptions à cet événement ne sont pas ouvertes."))
            fill_from_waitlist(event)  # whoever waits is served first (first come, first served)
            event_ok, full = room_for(event, session_ids)
            if event_ok and not full and not event.approval_required and _blocked_by_waitlist(event, session_ids):
                event_ok = False  # the free seat is one a waiting person needs
            if event.approval_required:
                status = S.PENDING
                if not event_ok and not event.waitlist_enabled:
                    raise RegistrationError(_("L'événement est complet."))
            elif event_ok and not full:
                status = S.CONFIRMED
            elif event.waitlist_enabled:
                status = S.WAITLISTED
            elif full:
                raise RegistrationError(_full_sessions_message(full), field="sessions")
            else:
                raise RegistrationError(_("L'événement est complet."))

            registration = existing or Registration(event=event)
            if existing is not None:  # a cancelled registration comes back to life: same row, same link
                existing.notices.all().delete()
                existing.cancel_reason = ""
                existing.cancelled_at = existing.checked_in_at = existing.waitlisted_at = None
            _fill_person(registration, data, email, user, language, now)
            registration.status = status
            registration.confirmed_at = now if status == S.CONFIRMED else None
            registration.waitlisted_at = now if status == S.WAITLISTED else None
            registration.save()
            if session_ids or existing is not None:
                registration.sessions.set(session_ids)
            notify(registration, {S.CONFIRMED: "confirmation", S.WAITLISTED: "waitlist", S.PENDING: "pending"}[status])
            if status == S.PENDING:
                from events.tasks import send_pending_to_organisers

                _after_commit(send_pending_to_organisers, registration.pk)
            return registration, True
    except IntegrityError:
        # Only reachable without the lock: a concurrent request for the same address won the insert.
        existing = Registration.objects.filter(event_id=event.pk, email=email).first()
        if existing is None:
            raise
        return existing, False


def _fits(event, registration):
    event_ok, full = room_for(event, list(registration.sessions.values_list("pk", flat=True)), exclude=registration.pk)
    return event_ok and not full


def promote_next(event):
    """Confirms the first waitlisted person whose sessions still have room (caller holds the lock)."""
    for candidate in event.registrations.filter(status=S.WAITLISTED).order_by("waitlisted_at", "pk"):
        if _fits(event, candidate):
            _confirm(candidate, "promotion")
            return candidate
    return None


def fill_from_waitlist(event):
    """Promotes waitlisted people in order while seats are free (caller holds the lock)."""
    promoted = []
    while (candidate := promote_next(event)) is not None:
        promoted.append(candidate)
    return promoted


def _blocked_by_waitlist(event, session_ids, exclude=None):
    """Whether a seat for one more person (in `session_ids`) would be one that a waiting person needs:
    the event's free seats are no more than the people waiting, or one of those sessions is wanted by
    someone waiting. (Called after fill_from_waitlist: whoever waits does not fit right now.)"""
    waiting = event.registrations.filter(status=S.WAITLISTED)
    if exclude is not None:
        waiting = waiting.exclude(pk=exclude)
    count = waiting.count()
    if not count:
        return False
    if event.capacity is not None and event.capacity - seats_taken(event.pk, exclude) <= count:
        return True
    return Registration.sessions.through.objects.filter(
        registration__in=waiting, eventsession_id__in=session_ids, eventsession__capacity__isnull=False
    ).exists()


def promote_waitlisted(event):
    """Gives every free seat of `event` (or of its sessions) to the waiting list, first come, first
    served, and emails each person promoted; returns them. Call it after anything that may free a
    seat: a capacity raised, a registration refused, deleted or cancelled (the functions of this module
    already do). Safe to call at any time; runs in its own transaction under the event's lock."""
    event_id = getattr(event, "pk", event)
    with transaction.atomic():
        if not EventPage.objects.filter(pk=event_id).exists():
            return []
        return fill_from_waitlist(lock_event(event_id))


def _confirm(registration, notice):
    registration.status = S.CONFIRMED
    registration.confirmed_at = timezone.now()
    registration.save(update_fields=["status", "confirmed_at", "updated_at"])
    notify(registration, notice)


def _locked(registration):
    """The event locked and the registration re-read inside the transaction."""
    event = lock_event(registration.event_id, list(registration.sessions.values_list("pk", flat=True)))
    return event, Registration.objects.get(pk=registration.pk)


@transaction.atomic
def cancel(registration, reason=CancelReason.ATTENDEE):
    """Cancels a registration, frees its seat and promotes from the waiting list; returns who was promoted."""
    event, registration = _locked(registration)
    if not registration.is_active:
        return []
    registration.status = S.CANCELLED
    registration.cancel_reason = reason
    registration.cancelled_at = timezone.now()
    registration.calendar_sequence += 1  # the cancellation's .ics replaces the confirmation's
    registration.save(update_fields=["status", "cancel_reason", "cancelled_at", "calendar_sequence", "updated_at"])
    notify(registration, "refusal" if reason == CancelReason.REFUSED else "cancellation")
    return fill_from_waitlist(event)


@transaction.atomic
def approve(registration):
    """An organiser accepts a pending registration: confirmed if a seat is left, else waitlisted."""
    event, registration = _locked(registration)
    if registration.status != S.PENDING:
        raise RegistrationError(_("Cette inscription n'est pas en attente de validation."))
    fill_from_waitlist(event)  # accepted people wait behind those already on the waiting list
    sessions = list(registration.sessions.values_list("pk", flat=True))
    if _fits(event, registration) and not _blocked_by_waitlist(event, sessions, exclude=registration.pk):
        _confirm(registration, "approval")
    elif event.waitlist_enabled:
        registration.status = S.WAITLISTED
        registration.waitlisted_at = timezone.now()
        registration.save(update_fields=["status", "waitlisted_at", "updated_at"])
        notify(registration, "waitlist")
    else:
        raise RegistrationError(_("L'événement est complet : impossible de valider cette inscription."))
    return registration


def refuse(registration):
    return cancel(registration, reason=CancelReason.REFUSED)


@transaction.atomic
def promote(registration):
    """An organiser confirms one waitlisted person ahead of the queue, if a seat is free."""
    event, registration = _locked(registration)
    if registration.status not in (S.WAITLISTED, S.PENDING):
        raise RegistrationError(_("Seule une personne en liste d'attente peut être promue."))
    if not _fits(event, registration):
        raise RegistrationError(_("Aucune place libre : la capacité ne peut pas être dépassée."))
    _confirm(registration, "promotion" if registration.status == S.WAITLISTED else "approval")
    return registration


@transaction.atomic
def change_sessions(registration, sessions):
    """Replaces the attendee's sessions; a seat in a new session is taken only if one is free."""
    new_ids = sorted({s.pk for s in sessions})
    old_ids = set(registration.sessions.values_list("pk", flat=True))
    event = lock_event(registration.event_id, sorted(old_ids | set(new_ids)))
    registration = Registration.objects.get(pk=registration.pk)
    if not registration.is_active:
        raise RegistrationError(_("Cette inscription est annulée."))
    if registration.holds_seat:
        added = [pk for pk in new_ids if pk not in old_ids]
        _event_ok, full = room_for(event, added, exclude=registration.pk)
        if full:
            raise RegistrationError(_full_sessions_message(full), field="sessions")
    if set(new_ids) == old_ids:
        return registration
    registration.sessions.set(new_ids)
    registration.calendar_sequence += 1
    registration.save(update_fields=["calendar_sequence", "updated_at"])
    dropped = sorted(old_ids - set(new_ids))
    from events.tasks import send_registration_notice

    kind = f"sessions-{registration.calendar_sequence}"
    _after_commit(send_registration_notice, registration.pk, kind, dropped)
    if registration.holds_seat and dropped:
        fill_from_waitlist(event)
    return registration


@transaction.atomic
def check_in(registration, now=None):
    """Marks the person present; returns (registration, previous check-in time or None when first)."""
    lock_event(registration.event_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status not in Registration.HOLDING:
        raise RegistrationError(_("Seule une inscription confirmée peut être pointée."))
    if registration.checked_in_at is not None:
        return registration, registration.checked_in_at
    registration.status = S.ATTENDED
    registration.checked_in_at = now or timezone.now()
    registration.save(update_fields=["status", "checked_in_at", "updated_at"])
    return registration, None
