"""factory_boy factories for the Projétothèque and the resource library (tests and benchmarks)."""

import datetime

import factory
import wagtail_factories
from wagtail.models import Locale

from resources.models import (
    AidEligibleCommune,
    AidIndexPage,
    AidNature,
    AidPage,
    Beneficiary,
    FunderType,
    ProjectIndexPage,
    ProjectPage,
    ProjectStatus,
    ResourceIndexPage,
    ResourcePage,
    ResourceType,
)


class ProjectIndexPageFactory(wagtail_factories.PageFactory):
    title = "Projétothèque"
    slug = "projetotheque"
    intro = "Les projets du réseau."

    class Meta:
        model = ProjectIndexPage


class ProjectPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Projet de revitalisation n° {n}")
    slug = factory.Sequence(lambda n: f"projet-{n}")
    summary = "Un projet pour faire revivre le centre-ville."
    status = ProjectStatus.ONGOING
    start_year = 2021
    total_cost = 100000
    live = True
    first_published_at = factory.Sequence(
        lambda n: datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(days=n)
    )
    locale = factory.LazyFunction(lambda: Locale.objects.get(language_code="fr"))

    class Meta:
        model = ProjectPage
        skip_postgeneration_save = True

    @factory.post_generation
    def programmes(self, create, extracted, **kwargs):
        if create and extracted:
            self.programmes.set(extracted)  # parental relations are written by save()
            self.save()

    @factory.post_generation
    def thematics(self, create, extracted, **kwargs):
        if create and extracted:
            self.thematics.set(extracted)
            self.save()
            self.save()

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)
            self.save()


class ResourceIndexPageFactory(wagtail_factories.PageFactory):
    title = "Ressources"
    slug = "ressources"

    class Meta:
        model = ResourceIndexPage


class ResourcePageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Guide pratique n° {n}")
    slug = factory.Sequence(lambda n: f"ressource-{n}")
    resource_type = ResourceType.GUIDE
    date = datetime.date(2024, 5, 1)
    summary = "Une ressource utile."
    live = True
    locale = factory.LazyFunction(lambda: Locale.objects.get(language_code="fr"))

    class Meta:
        model = ResourcePage
        skip_postgeneration_save = True

    @factory.post_generation
    def thematics(self, create, extracted, **kwargs):
        if create and extracted:
            self.thematics.set(extracted)
            self.save()


class AidIndexPageFactory(wagtail_factories.PageFactory):
    title = "Aides"
    slug = "aides"

    class Meta:
        model = AidIndexPage


def _parental(name):
    """A post-generation hook setting a parental many-to-many relation, then saving (which writes it and
    recomputes the aid's reach)."""

    def hook(self, create, extracted, **kwargs):
        if create and extracted:
            getattr(self, name).set(extracted)
            self.save()

    hook.__name__ = name
    return factory.post_generation(hook)


class AidPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Aide à la revitalisation n° {n}")
    slug = factory.Sequence(lambda n: f"aide-{n}")
    summary = "Une aide pour les projets de centre-ville."
    funders = "État"
    funder_type = FunderType.STATE
    natures = factory.LazyFunction(lambda: [AidNature.GRANT])
    beneficiaries = factory.LazyFunction(lambda: [Beneficiary.COMMUNE])
    permanent = True
    live = True
    first_published_at = factory.Sequence(
        lambda n: datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(days=n)
    )
    locale = factory.LazyFunction(lambda: Locale.objects.get(language_code="fr"))

    class Meta:
        model = AidPage
        skip_postgeneration_save = True

    programmes = _parental("programmes")
    thematics = _parental("thematics")
    eligible_regions = _parental("eligible_regions")
    eligible_departments = _parental("eligible_departments")
    eligible_epcis = _parental("eligible_epcis")
    required_programmes = _parental("required_programmes")

    @factory.post_generation
    def eligible_communes(self, create, extracted, **kwargs):
        if create and extracted:
            self.eligible_commune_links = [AidEligibleCommune(commune=commune) for commune in extracted]
            self.save()
