"""The observatory's indicator computed from the directory (declared in network.wagtail_hooks).

Figures shown to the public count the profiles the public sees (network.visibility): a members-only or
hidden profile is not counted, so a count never reveals who is not shown.
"""

from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from hub.observatory import ComputedIndicator, values_by_territory
from network.visibility import visible_members


def members_by_territory(kind, pks):
    return values_by_territory(
        visible_members(None),
        kind,
        pks,
        value=Count("pk"),
        year=ExtractYear("created_at"),
        commune="commune",
        department="department",
    )


def indicators():
    return ComputedIndicator(
        slug="membres",
        name=_("Membres de l'annuaire"),
        definition=_(
            "Profils publics de l'annuaire du réseau rattachés au territoire, cumulés par année d'arrivée "
            "dans le réseau."
        ),
        source=_("Centralités, annuaire"),
        compute=members_by_territory,
        order=40,
    )
