"""Seats: registering, cancelling, promoting from the waiting list — never more people than places.

The capacity rule lives in events.models.Seats: the event row and each session row count the
registrations holding a seat (`seats_taken`), and a seat is taken by one conditional UPDATE
(`… SET seats_taken = seats_taken + 1 WHERE id = … AND (capacity IS NULL OR seats_taken < capacity)`).
Two requests for the last seat cannot both take it: the second UPDATE waits for the first one's row lock,
then finds no room. Every change between a holding status (confirmed, attended) and another status goes
through this module and moves the counters in the same transaction as the status.

The common registration (no sessions, no approval, nobody waiting) is inserted as waitlisted first (the
unique constraint answers an address already registered before any lock), then, in one short transaction,
confirmed and given its seat by the conditional UPDATE, which is the transaction's last statement: the
event row stays locked only until the COMMIT that follows it. Everything else (sessions, approval, a
waiting list to serve first, an organiser's decision) locks the event row (and the sessions' rows) with
SELECT … FOR UPDATE for the whole decision, so the waiting list is served in order.
"""

from contextlib import nullcontext

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import CancelReason, EventPage, EventSession, Registration, RegistrationStatus, recount_seats
from events.tasks import send_pending_to_organisers, send_registration_notice

S = RegistrationStatus
# What the short way's decision reads from the event, besides the seats.
DECIDING_FIELDS = ("registration_enabled", "registration_opens_at", "registration_closes_at", "start")
DECIDING_FIELDS += ("approval_required", "waitlist_enabled")


class RegistrationError(Exception):
    """A registration cannot be taken or changed; `field` names the form field the message belongs to."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


def lock_event(event_id, session_ids=()):
    """Locks the event row (and reads it in the same query), then the sessions' rows in a fixed order
    so that two requests never wait for each other in opposite orders."""
    event = EventPage.objects.select_for_update(of=("self",)).get(pk=event_id)
    if session_ids:
        list(
            EventSession.objects.select_for_update()
            .filter(pk__in=sorted(session_ids))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    return event


def take_seats(event_id, session_ids=(), with_event=True):
    """One seat for one more person in the event and in each of `session_ids`, or none at all; returns
    (the event had room, the sessions that had none). Runs in a savepoint of the caller's transaction."""
    session_ids = sorted(set(session_ids))
    with transaction.atomic():
        event_ok = not with_event or EventPage.take([event_id]) == 1
        full = []
        if session_ids and EventSession.take(session_ids) < len(session_ids):
            full = list(
                EventSession.objects.filter(pk__in=session_ids).exclude(EventSession.with_room()).order_by("pk")
            )
        if not event_ok or full:
            transaction.set_rollback(True)  # back to the savepoint: nothing taken
    return event_ok, full


def release_seats(event_id, session_ids=(), with_event=True):
    if with_event:
        EventPage.release([event_id])
    if session_ids:
        EventSession.release(sorted(set(session_ids)))


def recount(event_id):
    """Counts the event's seats again from its registrations (after a deletion, a script…), under its lock."""
    with transaction.atomic():
        if EventPage.objects.filter(pk=event_id).exists():
            lock_event(event_id)
            recount_seats([event_id])


def _session_ids(registration):
    return list(registration.sessions.values_list("pk", flat=True))


def _fill_person(registration, data, email, user, language, now):
    for field in ("first_name", "last_name", "organisation", "role", "commune", "accessibility_needs"):
        setattr(registration, field, data.get(field) or ("" if field != "commune" else None))
    registration.email = email
    registration.answers = data.get("answers") or {}
    registration.consent_at = now if data.get("consent") else registration.consent_at
    registration.user = user if getattr(user, "is_authenticated", False) else None
    registration.language = language


def _register_new(event, data, email, user, language, now):
    """The short way (see the module's docstring): the new row, waitlisted, then its seat. Returns the
    registration, or None when there is no seat and no waiting list (the general way then explains).
    Raises IntegrityError when the address already has a registration for the event."""
    # In flight: waitlisted without a place in the queue (waitlisted_at), so no promotion touches it.
    registration = Registration(event=event, status=S.WAITLISTED, waitlisted_at=None)
    _fill_person(registration, data, email, user, language, now)
    with transaction.atomic() if connection.in_atomic_block else nullcontext():  # a duplicate spoils no transaction
        registration.save()
    # The page in hand may be a moment old: the seat is taken only if the settings its decision read
    # (window, approval, waiting list) are still those of the row. The event row is locked first, as
    # on every other path, then the registration: no two transactions wait for each other.
    unchanged = {name: getattr(event, name) for name in DECIDING_FIELDS}
    with transaction.atomic():
        confirmed = EventPage.take([event.pk], **unchanged) == 1
        if confirmed:
            Registration.objects.filter(pk=registration.pk).update(status=S.CONFIRMED, confirmed_at=now)
    if not confirmed:
        if not (event.waitlist_enabled and EventPage.objects.filter(pk=event.pk, **unchanged).exists()):
            Registration.objects.filter(pk=registration.pk).delete()  # no waiting list, or new settings
            return None
        Registration.objects.filter(pk=registration.pk).update(waitlisted_at=now)  # in the queue
        registration.waitlisted_at = now
    if confirmed:
        registration.status, registration.confirmed_at, registration.waitlisted_at = S.CONFIRMED, now, None
    notify(registration, "confirmation" if confirmed else "waitlist")
    return registration


def _full_sessions_message(full):
    names = ", ".join(s.title for s in full)
    return _("Plus de place dans : %(sessions)s. Choisissez une autre session.") % {"sessions": names}


def _after_commit(task, *args):
    transaction.on_commit(lambda: task.enqueue(*args))


def notify(registration, kind):
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
    if not session_ids and not event.approval_required and event.window_open(now):
        nobody_waits = not Registration.objects.filter(event_id=event.pk, status=S.WAITLISTED).exists()
        if nobody_waits:
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
            event.refresh_from_db(fields=["seats_taken"])
            full = []
            if event.approval_required:
                status = S.PENDING
                if event.seats_left() == 0 and not event.waitlist_enabled:
                    raise RegistrationError(_("L'événement est complet."))
            else:
                event_ok = not _blocked_by_waitlist(event, session_ids)
                if event_ok:
                    event_ok, full = take_seats(event.pk, session_ids)
                if event_ok and not full:
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
                _after_commit(send_pending_to_organisers, registration.pk)
            return registration, True
    except IntegrityError:
        # A concurrent request for the same address won the insert.
        existing = Registration.objects.filter(event_id=event.pk, email=email).first()
        if existing is None:
            raise
        return existing, False


def _give_seat(event, registration, notice):
    """Confirms `registration` (not holding a seat) if the event and its sessions have room; returns whether."""
    event_ok, full = take_seats(event.pk, _session_ids(registration))
    if event_ok and not full:
        _confirm(registration, notice)
        return True
    return False


def promote_next(event):
    """Confirms the first waitlisted person whose sessions still have room (caller holds the lock)."""
    event.refresh_from_db(fields=["seats_taken"])
    if event.seats_left() == 0:
        return None
    waiting = event.registrations.filter(status=S.WAITLISTED, waitlisted_at__isnull=False)  # not in flight
    for candidate in waiting.order_by("waitlisted_at", "pk"):
        if _give_seat(event, candidate, "promotion"):
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
    left = event.seats_left()
    if left is not None and left <= count:
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
    event = lock_event(registration.event_id, _session_ids(registration))
    return event, Registration.objects.get(pk=registration.pk)


@transaction.atomic
def cancel(registration, reason=CancelReason.ATTENDEE):
    """Cancels a registration, frees its seat and promotes from the waiting list; returns who was promoted."""
    event, registration = _locked(registration)
    if not registration.is_active:
        return []
    if registration.holds_seat:
        release_seats(event.pk, _session_ids(registration))
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
    event.refresh_from_db(fields=["seats_taken"])
    blocked = _blocked_by_waitlist(event, _session_ids(registration), exclude=registration.pk)
    if not blocked and _give_seat(event, registration, "approval"):
        pass
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
    if not _give_seat(event, registration, "promotion" if registration.status == S.WAITLISTED else "approval"):
        raise RegistrationError(_("Aucune place libre : la capacité ne peut pas être dépassée."))
    return registration


@transaction.atomic
def change_sessions(registration, sessions):
    """Replaces the attendee's sessions; a seat in a new session is taken only if one is free."""
    new_ids = sorted({s.pk for s in sessions})
    old_ids = set(_session_ids(registration))
    event = lock_event(registration.event_id, sorted(old_ids | set(new_ids)))
    registration = Registration.objects.get(pk=registration.pk)
    if not registration.is_active:
        raise RegistrationError(_("Cette inscription est annulée."))
    if set(new_ids) == old_ids:
        return registration
    dropped = sorted(old_ids - set(new_ids))
    if registration.holds_seat:
        _event_ok, full = take_seats(event.pk, [pk for pk in new_ids if pk not in old_ids], with_event=False)
        if full:
            raise RegistrationError(_full_sessions_message(full), field="sessions")
        release_seats(event.pk, dropped, with_event=False)
    registration.sessions.set(new_ids)
    registration.calendar_sequence += 1
    registration.save(update_fields=["calendar_sequence", "updated_at"])

    kind = f"sessions-{registration.calendar_sequence}"
    _after_commit(send_registration_notice, registration.pk, kind, dropped)
    if registration.holds_seat and dropped:
        fill_from_waitlist(event)
    return registration


@transaction.atomic
def check_in(registration, now=None):
    """Marks the person present; returns (registration, previous check-in time or None when first).
    Both statuses hold a seat: the counters do not move."""
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
