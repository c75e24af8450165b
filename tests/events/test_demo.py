"""The demo's events: past and upcoming of every type, one multi-session Assises, registrations; idempotent."""

from django.utils import timezone

from events import demo
from events.models import EventIndexPage, EventPage, EventType, Registration


def test_demo_events(core_site, abbeville):
    sizes = {"events": 8}

    class Out:
        def write(self, *args):
            pass

    demo.load_demo(core_site, sizes, 2018, Out())
    demo.load_demo(core_site, sizes, 2018, Out())  # a second run duplicates nothing
    events = EventPage.objects.live()
    assert events.count() == 8
    assert {e.event_type for e in events} == set(EventType.values)
    now = timezone.now()
    assert events.filter(end__lt=now).exists() and events.filter(start__gt=now).exists()
    assises = events.get(event_type="assises")
    assert assises.sessions.count() >= 5 and assises.start > now
    assert Registration.objects.filter(event=assises).count() > 0
    for session in assises.sessions.exclude(capacity=None):
        assert session.registrations.filter(status__in=Registration.HOLDING).count() <= session.capacity
    for event in events.exclude(capacity=None):
        assert event.registrations.filter(status__in=Registration.HOLDING).count() <= event.capacity
    assert Registration.objects.filter(status="waitlisted").exists()
    assert Registration.objects.filter(status="attended").exists()
    assert EventIndexPage.objects.get(locale__language_code="en").url == "/en/events/"
