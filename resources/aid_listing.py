"""The guide to financing aids on hub's faceted-listing mechanism, with « which aids for my commune »."""

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from hub.cache import page_scope
from hub.facets import Facet, FacetedListing, Sort, department_choices, region_choices, taxonomy_choices
from hub.i18n import localized_list
from hub.models import Department, Programme, Region, Thematic
from hub.search import restrict_to_search
from resources import eligibility
from resources.fields import contains
from resources.models import AidNature, AidPage, Beneficiary, FunderType

DEFAULT_STATUS = eligibility.OPEN


def _code_set_facet(param, label, field_name, choices):
    return Facet(
        param,
        label,
        choices=choices.choices,
        ranges={code: contains(field_name, code) for code, _label in choices.choices},
    )


def aid_facets(day=None):
    """The facets; `statut` and the territory facets are computed sets (the status depends on the day, so
    the facet index is rebuilt each day: its conditions carry the date)."""
    regions = list(Region.objects.order_by("code").values_list("code", flat=True))
    departments = list(Department.objects.order_by("code").values_list("code", flat=True))
    return [
        Facet("programme", _("Programme"), "programmes__slug", taxonomy_choices(Programme)),
        Facet("thematique", _("Thématique"), "thematics__slug", taxonomy_choices(Thematic)),
        Facet("porteur", _("Financeur"), "funder_type", lambda request: FunderType.choices),
        _code_set_facet("nature", _("Nature de l'aide"), "natures", AidNature),
        _code_set_facet("beneficiaire", _("Bénéficiaire"), "beneficiaries", Beneficiary),
        Facet(
            "region",
            _("Région"),
            choices=region_choices,
            ranges={code: eligibility.reaches_region(code) for code in regions},
        ),
        Facet(
            "departement",
            _("Département"),
            choices=department_choices,
            ranges={code: eligibility.reaches_department(code) for code in departments},
        ),
        Facet(
            "statut",
            _("État"),
            choices=[(value, label) for value, label in eligibility.STATUSES],
            ranges=eligibility.status_conditions(day),
            hide_empty=False,
        ),
    ]


AID_SORTS = [
    # Soonest closing first; the permanent and undated aids after them, on every database.
    Sort("cloture", _("Date de clôture"), (F("closes_on").asc(nulls_last=True), "title", "pk")),
    Sort("nom", _("Nom (A → Z)"), ("title", "pk")),
    Sort("recent", _("Les plus récentes"), ("-first_published_at", "-pk")),
]


class AidListing(FacetedListing):
    """The aids' listing: closed aids are out of it unless asked for (`statut=close`); with `commune`, only
    the aids that commune can get."""

    extra_params = ("commune", "pourquoi", "lieu")

    def __init__(self, request, base_queryset, facets, sorts, commune=None, **kwargs):
        self.commune = commune
        super().__init__(request, base_queryset, facets, sorts, **kwargs)
        if not self.selected.get("statut"):
            self.selected["statut"] = [DEFAULT_STATUS]
            self.default_status = True
        else:
            self.default_status = False

    def fixed_params(self):
        return [("commune", self.commune.insee_code)] if self.commune is not None else []

    def excluded(self):
        """With a commune: the open aids it cannot get, each with the rules it fails (asked by `pourquoi=1`),
        in the visitor's language; a fixed number of queries whatever their number."""
        if self.commune is None or self.request.GET.get("pourquoi") != "1":
            return None
        aids = list(
            self.unfiltered.exclude(pk__in=self.base_ids)
            .filter(eligibility.status_conditions()[eligibility.OPEN])
            .prefetch_related(*eligibility.RULES)
            .order_by("title", "pk")
        )
        judged = eligibility.judged_commune(self.commune)
        keys = list(judged.programmes.values_list("translation_key", flat=True))
        chosen = self.selected.get("beneficiaire")
        shown = localized_list(aids, self.language)
        found = []
        for aid, page in zip(aids, shown, strict=True):
            failed = [
                c for c in eligibility.assess(aid, judged, beneficiaries=chosen, programme_keys=keys) if not c.met
            ]
            found.append({"aid": page, "failed": failed})
        return found

    def active_filters(self):
        chips = super().active_filters()
        if self.default_status:  # the default state is not a filter the visitor can take away
            chips = [chip for chip in chips if chip["param"] != "statut"]
        return chips

    @property
    def is_filtered(self):
        if self.default_status:
            return bool(self.query or any(v for k, v in self.selected.items() if k != "statut"))
        return super().is_filtered


def aid_listing(request, index_page, page_size=None, day=None):
    source = index_page.source_index()
    unfiltered = base = AidPage.objects.child_of(source).live().public()
    commune = eligibility.commune_of(request.GET.get("commune"))
    if commune is not None:
        chosen = [code for code in request.GET.getlist("beneficiaire") if code in dict(Beneficiary.choices)]
        base = base.filter(eligibility.eligible_for(commune, beneficiaries=chosen))
    listing = AidListing(
        request,
        base,
        aid_facets(day),
        AID_SORTS,
        commune=commune,
        search=restrict_to_search,
        page_size=page_size,
        scopes=[page_scope(source)],
        items_locale_id=source.locale_id,
    )
    listing.unfiltered, listing.base_ids = unfiltered, base.values("pk")
    return listing
