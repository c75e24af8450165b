"""factory_boy factories for events, sessions and registrations (tests, demo and benchmarks)."""

import datetime

import factory
import wagtail_factories
from django.utils import timezone
from wagtail.models import Locale

from events.models import (
    EventFormat,
    EventIndexPage,
    EventPage,
    EventSession,
    EventType,
    Registration,
    RegistrationStatus,
    recount_seats,
)


def in_days(days, hour=9, minute=30):
    moment = timezone.localtime() + datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=minute, second=0, microsecond=0)


class EventIndexPageFactory(wagtail_factories.PageFactory):
    title = "Événements"
    slug = "evenements"
    intro = "Ateliers, webinaires et rencontres du réseau."

    class Meta:
        model = EventIndexPage


class EventPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Atelier thématique n° {n}")
    slug = factory.Sequence(lambda n: f"atelier-{n}")
    event_type = EventType.WORKSHOP
    format = EventFormat.IN_PERSON
    start = factory.LazyFunction(lambda: in_days(30))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(hours=3))
    summary = "Un atelier pour partager les pratiques des villes du réseau."
    venue = "Salle des fêtes"
    address = "1 place de la Mairie"
    capacity = 30
    live = True
    locale = factory.LazyFunction(lambda: Locale.objects.get(language_code="fr"))

    class Meta:
        model = EventPage
        skip_postgeneration_save = True

    @factory.post_generation
    def thematics(self, create, extracted, **kwargs):
        if create and extracted:
            self.thematics.set(extracted)
            self.save()


class EventSessionFactory(factory.django.DjangoModelFactory):
    event = factory.SubFactory(EventPageFactory)
    title = factory.Sequence(lambda n: f"Atelier {n}")
    start = factory.LazyAttribute(lambda o: o.event.start)
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(hours=1))
    capacity = None

    class Meta:
        model = EventSession


class RegistrationFactory(factory.django.DjangoModelFactory):
    event = factory.SubFactory(EventPageFactory)
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Durand-{n}")
    email = factory.Sequence(lambda n: f"personne{n}@mairie.example.fr")
    organisation = "Ville d'Abbeville"
    status = RegistrationStatus.CONFIRMED
    consent_at = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyFunction(timezone.now)
    # A waitlisted person has a place in the queue (a row without one is still being decided).
    waitlisted_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == RegistrationStatus.WAITLISTED else None
    )

    class Meta:
        model = Registration
        skip_postgeneration_save = True

    @factory.post_generation
    def sessions(self, create, extracted, **kwargs):
        if create and extracted:
            self.sessions.set(extracted)

    @factory.post_generation
    def seats(self, create, extracted, **kwargs):
        """A row written directly, with its status: the event's seat counters are counted again."""
        if create:
            recount_seats([self.event_id])
