"""factory_boy factories for the newsletter (tests and benchmarks)."""

import datetime

import factory
import wagtail_factories
from django.utils import timezone
from wagtail.models import Locale

from newsletter.models import NewsletterIndexPage, NewsletterIssuePage, Subscriber, SubscriberStatus


class NewsletterIndexPageFactory(wagtail_factories.PageFactory):
    title = "Lettre d'information"
    slug = "newsletter"
    intro = "Les numéros parus et l'inscription."
    live = True
    locale = factory.LazyFunction(lambda: Locale.objects.get(language_code="fr"))

    class Meta:
        model = NewsletterIndexPage


class NewsletterIssuePageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Lettre n° {n}")
    slug = factory.Sequence(lambda n: f"lettre-{n}")
    issue_date = datetime.date(2026, 11, 1)
    subject = factory.LazyAttribute(lambda o: f"{o.title} : l'actualité des centres-villes")
    preheader = "Projets, ressources et rendez-vous du mois."
    live = True
    locale = factory.LazyFunction(lambda: Locale.objects.get(language_code="fr"))
    body = factory.LazyFunction(
        lambda: [
            {"type": "edito", "value": {"title": "Édito", "text": "<p>Bonne lecture à toutes et à tous.</p>"}},
            {"type": "featured_projects", "value": {"title": "Projets à la une", "projects": [], "count": 3}},
            {"type": "new_resources", "value": {"title": "Nouvelles ressources", "count": 3}},
            {"type": "upcoming_events", "value": {"title": "Prochains rendez-vous", "count": 3}},
        ]
    )

    class Meta:
        model = NewsletterIssuePage
        skip_postgeneration_save = True

    @factory.post_generation
    def published(self, create, extracted, **kwargs):
        # A live revision, as the admin's "publish" leaves it (renderings are keyed by it).
        if create and self.live:
            self.save_revision().publish()


class SubscriberFactory(factory.django.DjangoModelFactory):
    email = factory.Sequence(lambda n: f"abonne{n}@exemple.test")
    status = SubscriberStatus.ACTIVE
    language = "fr"
    consent_at = factory.LazyFunction(timezone.now)
    consent_source = "page"
    consent_wording = "2026-11"
    confirmed_at = factory.LazyFunction(timezone.now)

    class Meta:
        model = Subscriber
