"""factory_boy factories for the directory (tests and benchmarks)."""

import factory
from django.contrib.auth import get_user_model

from network.models import Member, Organisation, Role, Visibility


class UserFactory(factory.django.DjangoModelFactory):
    username = factory.Sequence(lambda n: f"membre{n}@reseau.example")
    email = factory.SelfAttribute("username")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Durand{n}")
    password = factory.django.Password("un-mot-de-passe-solide")
    is_active = True

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)


class OrganisationFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Ville n° {n}")
    kind = Organisation.Kind.COMMUNE

    class Meta:
        model = Organisation


class MemberFactory(factory.django.DjangoModelFactory):
    user = factory.SubFactory(
        UserFactory, first_name=factory.SelfAttribute("..first_name"), last_name=factory.SelfAttribute("..last_name")
    )
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Durand{n}")
    role = Role.MANAGER
    job_title = "Manager de centre-ville"
    organisation = factory.SubFactory(OrganisationFactory)
    visibility = Visibility.PUBLIC
    consent_to_appear = True
    phone = "03 22 00 00 00"
    bio = "Manager du centre-ville depuis 2019."

    class Meta:
        model = Member
        skip_postgeneration_save = True

    @factory.post_generation
    def programmes(self, create, extracted, **kwargs):
        if create and extracted:
            self.programmes.set(extracted)

    @factory.post_generation
    def thematics(self, create, extracted, **kwargs):
        if create and extracted:
            self.thematics.set(extracted)
