"""The seat counters (events.models.Seats) always equal the registrations holding a seat, whatever
attendees and organisers do, in whatever order, and a confirmed person never goes over a capacity."""

import random

import pytest
from django.db.models import Count, Q

from events import registration as seats
from events.admin_views import undo_check_in
from events.models import EventPage, EventSession, Registration, RegistrationStatus

S = RegistrationStatus


def assert_counters_right(event):
    event = EventPage.objects.get(pk=event.pk)
    holding = event.registrations.filter(status__in=Registration.HOLDING).count()
    assert event.seats_taken == holding
    assert event.capacity is None or holding <= event.capacity
    sessions = EventSession.objects.filter(event=event).annotate(
        holding=Count("registrations", filter=Q(registrations__status__in=Registration.HOLDING))
    )
    for session in sessions:
        assert session.seats_taken == session.holding, session.title
        assert session.capacity is None or session.holding <= session.capacity, session.title


def person(number):
    return {"first_name": "Personne", "last_name": str(number), "email": f"p{number}@example.fr", "consent": True}


@pytest.mark.parametrize("seed", range(4))
def test_the_counters_follow_a_random_sequence_of_operations(assises, seed, django_capture_on_commit_callbacks):
    event, sessions = assises
    EventPage.objects.filter(pk=event.pk).update(capacity=5)
    event = EventPage.objects.get(pk=event.pk)
    rng = random.Random(seed)
    choices = [
        [],
        [sessions["pleniere"]],
        [sessions["a"]],
        [sessions["b"], sessions["c"]],
        [sessions["a"], sessions["c"]],
    ]

    def some(status=None):
        rows = Registration.objects.filter(event=event)
        rows = rows.filter(status__in=status) if status else rows
        rows = list(rows.order_by("pk"))
        return rng.choice(rows) if rows else None

    def register():
        seats.register(event, person(rng.randrange(30)), sessions=rng.choice(choices))

    def set_approval():
        event.approval_required = rng.random() < 0.3
        EventPage.objects.filter(pk=event.pk).update(approval_required=event.approval_required)

    def publish_capacity():
        page = EventPage.objects.get(pk=event.pk)
        page.capacity = rng.choice([3, 5, 8])
        page.save_revision().publish()  # a full save of every field: the counters must survive it

    operations = {
        "register": register,
        "cancel": lambda: (r := some(Registration.ACTIVE)) and seats.cancel(r, reason="organiser"),
        "refuse": lambda: (r := some([S.PENDING])) and seats.refuse(r),
        "approve": lambda: (r := some([S.PENDING])) and seats.approve(r),
        "promote": lambda: (r := some([S.WAITLISTED, S.PENDING])) and seats.promote(r),
        "sessions": lambda: (r := some(Registration.ACTIVE)) and seats.change_sessions(r, rng.choice(choices)),
        "check_in": lambda: (r := some([S.CONFIRMED])) and seats.check_in(r),
        "undo_check_in": lambda: (r := some([S.ATTENDED])) and undo_check_in(r),
        "delete": lambda: (r := some()) and r.delete(),
        "approval": set_approval,
        "publish": publish_capacity,
    }
    names = list(operations)
    weights = [8, 3, 1, 2, 2, 3, 2, 1, 1, 1, 1]
    done = []
    for _step in range(60):
        name = rng.choices(names, weights)[0]
        done.append(name)
        with django_capture_on_commit_callbacks(execute=True):
            try:
                operations[name]()
            except seats.RegistrationError:
                pass  # full, closed, not pending…: refused, nothing changes
        assert_counters_right(event), done
    assert {"register", "cancel"} <= set(done)
    assert Registration.objects.filter(event=event, status__in=Registration.HOLDING).exists()
