"""Seats under concurrent requests on PostgreSQL: never more confirmed people than places.

The count that decides "confirmed or waitlisted" is slowed down a little, as a busy server would be, so
every request reads the count before the others write: without the row lock they would all see a free
seat. Both ways of deciding are slowed: the general one (seats_taken, session_seats_taken) and the short
one of a registration without sessions (take_seat's statements: lock, conditional confirmation, then a
pause before the commit that follows them in the same round trip). The last test turns the lock off and
checks that the same scenario then oversells, which shows the first test can fail.
"""

import threading
import time

import pytest
from django.db import connection

from events import registration as seats
from events.models import Registration

pytestmark = pytest.mark.postgres

CAPACITY = 3
REQUESTS = 16


@pytest.fixture
def postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://…")


@pytest.fixture
def slow_counts(monkeypatch):
    original = seats.seats_taken
    original_sessions = seats.session_seats_taken
    original_statements = seats.seat_statements

    def slow(*args, **kwargs):
        value = original(*args, **kwargs)
        time.sleep(0.05)
        return value

    def slow_sessions(*args, **kwargs):
        value = original_sessions(*args, **kwargs)
        time.sleep(0.05)
        return value

    def slow_statements(*args, **kwargs):
        # decided, not yet committed
        return [*original_statements(*args, **kwargs), ("pause", "SELECT pg_sleep(0.05)", [])]

    monkeypatch.setattr(seats, "seats_taken", slow)
    monkeypatch.setattr(seats, "session_seats_taken", slow_sessions)
    monkeypatch.setattr(seats, "seat_statements", slow_statements)


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
    for session in sessions:
        assert session.seats_taken() <= session.capacity


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


def test_without_the_lock_the_same_requests_oversell(postgres, make_event, slow_counts, monkeypatch):
    monkeypatch.setattr(seats, "LOCK_CAPACITY", False)
    event = make_event(capacity=CAPACITY)
    register_concurrently(event)
    with pytest.raises(AssertionError):
        assert_capacity_held(event, CAPACITY)
    assert Registration.objects.filter(event=event, status="confirmed").count() > CAPACITY
