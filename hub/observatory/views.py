"""`/fr/territoires/observatoire/` (`/en/territories/observatory/`) and its CSV export."""

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from hub.exports import csv_response

from .charts import format_number, format_value
from .comparison import TownComparison


def _territory_index_url():
    try:
        return reverse("territory_index")
    except NoReverseMatch:  # territory pages are not part of the site
        return ""


@require_GET
def observatory(request):
    """Towns compared on one indicator; every parameter is checked, a wrong one is ignored and said so."""
    comparison = TownComparison(request.GET)
    page = comparison.page(request.GET.get("page"))
    indicator = comparison.indicator
    for town in page.object_list:
        town.value_text = format_value(town.value, indicator)
        town.population_text = format_number(town.population) if town.population is not None else ""
    median = comparison.median()
    return render(
        request,
        "pages/observatory.html",
        {
            "comparison": comparison,
            "listing": comparison,  # for components/listing_pagination.html
            "indicator": indicator,
            "page_obj": page,
            "towns": page.object_list,
            "median": format_value(median, indicator) if median is not None else "",
            "territory_index_url": _territory_index_url(),
            "export_url": reverse("observatory_export") + ("?" + comparison.querystring),
        },
    )


@require_GET
def observatory_export(request):
    """The same towns as the table (same parameters, every page) as CSV: raw values, a dot as decimal mark."""
    comparison = TownComparison(request.GET)
    towns = comparison.towns()
    indicator = comparison.indicator
    year = comparison.year if comparison.year is not None else ""
    header = [
        "code_insee",
        "commune",
        "departement",
        "region",
        "population",
        "indicateur",
        "annee",
        "valeur",
        "unite",
        "illustratif",
    ]
    rows = (
        [
            town.code,
            town.name,
            town.department_code,
            town.region_name,
            town.population if town.population is not None else "",
            indicator.slug,
            year,
            "" if town.value is None else f"{town.value.normalize():f}",
            indicator.unit_label,
            "oui" if indicator.illustrative else "non",
        ]
        for town in towns
    )
    stamp = timezone.localdate().isoformat()
    return csv_response(header, rows, f"observatoire-{indicator.slug}-{stamp}.csv")
