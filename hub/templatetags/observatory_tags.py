"""`{% indicator_panel territory %}`: a territory's indicators, their trends and their comparisons.

`territory` is a Commune, EPCI, Department or Region, or an object holding one as `obj` (the territory
pages' wrapper). The section lists every computed indicator and every imported one that has values there.
"""

from django import template
from django.urls import NoReverseMatch, reverse

from hub.observatory import COMMUNE, place_of, summaries
from hub.observatory.charts import format_value, trend_chart

register = template.Library()


@register.inclusion_tag("components/indicator_panel.html", takes_context=True)
def indicator_panel(context, territory, heading_level=2):
    place = place_of(territory)
    items = []
    for summary in summaries(place) if place else []:
        items.append(
            {
                "summary": summary,
                "indicator": summary.indicator,
                "latest": format_value(summary.series.latest, summary.indicator),
                "chart": trend_chart(summary.series),
                "rows": [(year, format_value(value, summary.indicator)) for year, value in summary.series.points],
                "comparisons": [
                    (comparison, format_value(comparison.median, summary.indicator))
                    for comparison in summary.comparisons
                ],
                "first_year": summary.series.points[0][0] if summary.series.points else None,
                "last_year": summary.series.points[-1][0] if summary.series.points else None,
                "anchor": f"indicateur-{summary.indicator.slug}",
            }
        )
    try:
        observatory_url = reverse("observatory")
    except NoReverseMatch:  # the project's URLs do not include the observatory
        observatory_url = ""
    return {
        "request": context.get("request"),
        "place": place,
        "items": items,
        "illustrative": any(item["indicator"].illustrative for item in items),
        "observatory_url": observatory_url if place and place.kind == COMMUNE else "",
        "heading_level": heading_level,
        "sub_level": heading_level + 1,
    }


@register.filter
def indicator_value(value, indicator):
    """`{{ value|indicator_value:indicator }}`: the value with its unit, as the active language writes it."""
    return format_value(value, indicator)
