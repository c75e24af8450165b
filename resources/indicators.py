"""The observatory's indicators computed from the Projétothèque (declared in resources.wagtail_hooks)."""

from django.db.models import Count, IntegerField, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import gettext_lazy as _

from hub.observatory import ComputedIndicator, values_by_territory
from hub.pagestate import public
from resources.models import ProjectPage

# A project counts from the year it started; a sheet without one, from the year it was first published.
PROJECT_YEAR = Coalesce("start_year", ExtractYear("first_published_at"), output_field=IntegerField())


def published_projects():
    """The live, public fiches projet, once each (the French originals)."""
    return public(ProjectPage.objects.live()).filter(locale__language_code="fr")


def projects_by_territory(kind, pks):
    return values_by_territory(published_projects(), kind, pks, value=Count("pk"), year=PROJECT_YEAR)


def investment_by_territory(kind, pks):
    projects = published_projects().filter(total_cost__isnull=False)
    return values_by_territory(projects, kind, pks, value=Sum("total_cost"), year=PROJECT_YEAR)


def indicators():
    source = _("Centralités, Projétothèque")
    return [
        ComputedIndicator(
            slug="projets",
            name=_("Projets"),
            definition=_(
                "Fiches projet publiées dans la Projétothèque, cumulées par année de début du projet "
                "(à défaut, par année de publication de la fiche)."
            ),
            source=source,
            compute=projects_by_territory,
            order=10,
        ),
        ComputedIndicator(
            slug="investissement",
            name=_("Investissement des projets"),
            unit=_("€ HT"),
            definition=_(
                "Somme des coûts totaux hors taxes des fiches projet publiées qui en indiquent un, cumulée par "
                "année de début du projet."
            ),
            source=source,
            compute=investment_by_territory,
            order=20,
        ),
    ]
