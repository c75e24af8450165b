"""Seats under concurrent requests on PostgreSQL: never more confirmed people than places.

A seat is taken by one conditional UPDATE (events.models.Seats.take). Here each taking is slowed down a
little after its UPDATE, before the commit, as a busy server would be, so the requests overlap. The last
test replaces the conditional UPDATE by the naive way it guards against (read the counter, then add one):
the same scenario then oversells, which shows the first test can fail.
"""

import threading
import time

import pytest
from django.db import connection
from django.db.models import F

from events import registration as seats
from events.models import EventPage, Registration, Seats

pytestmark = pytest.mark.postgres

CAPACITY = 3
REQUESTS = 16


@pytest.fixture
def postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://…")


@pytest.fixture
def slow_counts(monkeypatch):
    original = Seats.take.__func__

    def slow(cls, *args, **kwargs):
        taken = original(cls, *args, **kwargs)
        time.sleep(0.05)  # decided, not yet committed
        return taken

    monkeypatch.setattr(Seats, "take", classmethod(slow))


def naive_take(cls, pks, **unchanged):
    """The capacity read first, then one seat more: two requests can both read the last free seat."""
    free = [row.pk for row in cls.objects.filter(pk__in=pks, **unchanged) if row.seats_left() != 0]
    time.sleep(0.05)
    return cls.objects.filter(pk__in=free).update(seats_taken=F("seats_taken") + 1)


def register_concurrently(event, sessions=()):
    barrier = threading.Barrier(REQUESTS)
    errors = []

    def attempt(number):
        try:
            barrier.wait(timeout=10)
            seats.register(
                event,
                {"first_name": "Personne", "last_name": str(number), "email": f"p{number}@example.fr", "consent": True},
                sessions=sessions,
            )
        except Exception as error:  # noqa: BLE001 — any error is a failure of the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def assert_capacity_held(event, capacity, sessions=()):
    statuses = list(Registration.objects.filter(event=event).values_list("status", flat=True))
    assert len(statuses) == REQUESTS
    assert statuses.count("confirmed") == capacity
    assert statuses.count("waitlisted") == REQUESTS - capacity
    assert EventPage.objects.get(pk=event.pk).seats_taken == capacity  # the counter agrees
    for session in sessions:
        assert session.registrations.filter(status__in=Registration.HOLDING).count() <= session.capacity


def test_concurrent_registrations_never_exceed_the_event_capacity(postgres, make_event, slow_counts):
    event = make_event(capacity=CAPACITY)
    started = time.monotonic()
    errors = register_concurrently(event)
    assert errors == []
    assert_capacity_held(event, CAPACITY)
    assert time.monotonic() - started < 15


def test_concurrent_registrations_never_exceed_a_session_capacity(postgres, assises, slow_counts):
    event, sessions = assises  # Atelier A: two places, the event fifty
    errors = register_concurrently(event, sessions=[sessions["a"]])
    assert errors == []
    assert_capacity_held(event, sessions["a"].capacity, [sessions["a"]])


def test_without_the_conditional_update_the_same_requests_oversell(postgres, make_event, monkeypatch):
    monkeypatch.setattr(Seats, "take", classmethod(naive_take))
    event = make_event(capacity=CAPACITY)
    register_concurrently(event)
    with pytest.raises(AssertionError):
        assert_capacity_held(event, CAPACITY)
    assert Registration.objects.filter(event=event, status="confirmed").count() > CAPACITY
    assert EventPage.objects.get(pk=event.pk).seats_taken > CAPACITY
