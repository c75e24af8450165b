"""The guide to financing aids: its listing, exports and feed (resources.AidIndexPage's routes)."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from hub.exports import csv_response, json_response
from hub.facets import listing_response
from hub.territory_pages import COMMUNE, clean_territory_query, find_territories
from resources import eligibility
from resources.aid_listing import aid_listing
from resources.models import AidNature, Beneficiary, FunderType

EXPORT_COLUMNS = [
    "titre",
    "financeurs",
    "type_financeur",
    "nature",
    "beneficiaires",
    "programmes",
    "thematiques",
    "territoire",
    "montant_min_eur",
    "montant_max_eur",
    "taux_min_pct",
    "taux_max_pct",
    "montants_illustratifs",
    "ouverture",
    "cloture",
    "permanente",
    "statut",
    "derniere_verification",
    "source",
    "url",
]


def _prepare(queryset):
    return queryset.prefetch_related("programmes", "thematics")


def aid_listing_view(request, index_page):
    """The listing; with `commune`, the aids that commune can get. `commune` may be typed as a name or a
    postcode: one commune found is redirected to by its INSEE code, homonyms are offered to choose from."""
    raw = clean_territory_query(request.GET.get("lieu"))
    choices, error = [], ""
    if raw:
        found, _more = find_territories(raw, limits={COMMUNE: 12})
        communes = [territory.obj for territory in found[COMMUNE]]
        if len(communes) == 1:
            query = request.GET.copy()
            query["commune"] = communes[0].insee_code
            for name in ("page", "lieu"):
                query.pop(name, None)
            return redirect(f"{request.path}?{query.urlencode()}")
        choices = communes
        if not communes:
            error = _("Aucune commune ne répond à « %(text)s » : essayez son code INSEE ou son code postal.") % {
                "text": raw
            }

    def extra(listing):
        return {
            "commune": listing.commune,
            "commune_query": listing.commune.name if listing.commune is not None else raw,
            "commune_choices": choices,
            "commune_error": error,
            "excluded": listing.excluded(),
        }

    return listing_response(
        request, index_page, lambda: aid_listing(request, index_page), prepare=_prepare, extra_context=extra
    )


def _territory(aid):
    if aid.nationwide:
        return _("France entière")
    names = [r.name for r in aid.eligible_regions.all()] + [d.name for d in aid.eligible_departments.all()]
    names += [e.name for e in aid.eligible_epcis.all()]
    names += [link.commune.name for link in aid.eligible_commune_links.all()]
    return ", ".join(names)


def _records(request, index_page):
    """The filtered aids as export records (all of them, not a page), in the visitor's language."""
    listing = aid_listing(request, index_page)
    aids = listing.results().prefetch_related(
        "programmes",
        "thematics",
        "eligible_regions",
        "eligible_departments",
        "eligible_epcis",
        "eligible_commune_links__commune",
    )
    funders, natures, beneficiaries = dict(FunderType.choices), dict(AidNature.choices), dict(Beneficiary.choices)
    for aid in aids:
        yield {
            "titre": aid.title,
            "financeurs": aid.funders,
            "type_financeur": str(funders.get(aid.funder_type, aid.funder_type)),
            "nature": [str(natures.get(code, code)) for code in aid.natures],
            "beneficiaires": [str(beneficiaries.get(code, code)) for code in aid.beneficiaries],
            "programmes": [p.label for p in aid.programmes.all()],
            "thematiques": [t.name for t in aid.thematics.all()],
            "territoire": _territory(aid),
            "montant_min_eur": aid.amount_min,
            "montant_max_eur": aid.amount_max,
            "taux_min_pct": aid.rate_min,
            "taux_max_pct": aid.rate_max,
            "montants_illustratifs": aid.illustrative_amounts,
            "ouverture": aid.opens_on.isoformat() if aid.opens_on else None,
            "cloture": aid.closes_on.isoformat() if aid.closes_on else None,
            "permanente": aid.permanent,
            "statut": eligibility.status_of(aid),
            "derniere_verification": aid.last_verified_on.isoformat() if aid.last_verified_on else None,
            "source": aid.source_url,
            "url": settings.SITE_BASE_URL + aid.url,
        }


def aid_export_csv(request, index_page):
    def rows():
        for record in _records(request, index_page):
            yield [
                "|".join(value) if isinstance(value, list) else ("" if value is None else value)
                for value in (record[column] for column in EXPORT_COLUMNS)
            ]

    return csv_response(EXPORT_COLUMNS, rows(), "aides.csv")


def aid_export_json(request, index_page):
    return json_response(_records(request, index_page), "aides.json")


class AidFeed(Feed):
    """New aids and aids closing soon, for the listing's current selection."""

    def __init__(self, index_page, listing):
        super().__init__()
        self.index_page = index_page
        self.listing = listing

    def title(self):
        return _("Guide des aides — nouvelles aides et clôtures prochaines")

    def link(self):
        return settings.SITE_BASE_URL + self.index_page.url

    def description(self):
        return _("Les aides ajoutées au guide et celles qui ferment dans les 30 jours.")

    def items(self):
        aids = self.listing.filtered_queryset()
        closing = list(
            aids.filter(eligibility.status_conditions()[eligibility.CLOSING_SOON]).order_by("closes_on")[:20]
        )
        newest = list(aids.order_by("-first_published_at")[:30])
        seen, found = set(), []
        for aid in closing + newest:
            if aid.pk not in seen:
                seen.add(aid.pk)
                found.append(aid)
        return found

    def item_title(self, item):
        if eligibility.status_of(item) == eligibility.CLOSING_SOON:
            return _("%(title)s (clôture le %(date)s)") % {
                "title": item.title,
                "date": item.closes_on.strftime("%d/%m/%Y"),
            }
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return settings.SITE_BASE_URL + item.url

    def item_pubdate(self, item):
        return item.first_published_at


def aid_feed(request, index_page):
    return AidFeed(index_page, aid_listing(request, index_page))(request)
