"""The medians territory pages compare the site's own figures with, kept apart from the request path.

A computed indicator's median reads every row of its app (every project, every member…): computed for each
page, it would make the page's cost grow with the site's content. The medians of every peer group (the towns
of a programme in a population band; all the EPCI, départements or régions) are computed at once, stored in
the cache with no expiry, and renewed in the background (`hub.tasks.refresh_observatory_medians`, run by
`db_worker`) once they are older than HUB_OBSERVATORY_MEDIANS_TIMEOUT or the territories changed (the
content generation): meanwhile, pages show the previous ones. Only the first page ever shown, or the first
after the cache was lost, computes them itself (one request does; the others wait for it).

The territory's own value is always live: it is read for that territory alone.
"""

import time
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache

from hub.cache import built_once, content_generation
from hub.models import Commune
from hub.models.territories import population_band
from hub.observatory import (
    COMMUNE,
    KIND_MODELS,
    TO_DATE,
    commune_group,
    computed_indicators,
    median_of,
    value_at,
)

KEY = "hub:observatory:medians"
REFRESH_LOCK = f"{KEY}:refresh"


def commune_groups():
    """{group key: [commune pks]}: the current communes of every programme, by population band (one query)."""
    through = Commune.programmes.through
    links = through.objects.filter(commune__kind=Commune.Kind.CURRENT).values_list(
        "programme_id", "commune_id", "commune__population"
    )
    groups = {}
    for programme_id, commune_id, population in links:
        band = population_band(population)
        if band:
            groups.setdefault(commune_group(programme_id, band), []).append(commune_id)
    return groups


def compute():
    """{indicator slug: {group key: (median, count)}} for every computed indicator and every peer group."""
    groups = commune_groups()
    counts = {kind: model.objects.count() for kind, model in KIND_MODELS.items() if kind != COMMUNE}
    found = {}
    for indicator in computed_indicators():
        medians = {}
        towns = indicator.values_for(COMMUNE, sorted({pk for pks in groups.values() for pk in pks}))
        for key, pks in groups.items():
            medians[key] = _median(indicator, [value_at(indicator, towns.get(pk), TO_DATE) for pk in pks], len(pks))
        for kind, count in counts.items():
            values = [value_at(indicator, years, TO_DATE) for years in indicator.values_for(kind, None).values()]
            medians[kind] = _median(indicator, values, count)
        found[indicator.slug] = {key: value for key, value in medians.items() if value is not None}
    return found


def _median(indicator, values, count):
    typical = median_of(values, count if indicator.zero_when_missing else None)
    counted = count if indicator.zero_when_missing else len([v for v in values if v is not None])
    return (typical, counted) if typical is not None and counted else None


def _entry():
    return content_generation(), time.time(), compute()


def store():
    """Compute the medians now and keep them (the background task's work); the next renewal may then start."""
    entry = _entry()
    cache.set(KEY, entry, timeout=None)
    cache.delete(REFRESH_LOCK)
    return entry


def current():
    """The stored medians ({slug: {group: (median, count)}}); renewed in the background when out of date."""
    entry = built_once(KEY, _entry, timeout=None)
    generation, computed_at, medians = entry
    stale = generation != content_generation() or time.time() - computed_at > settings.HUB_OBSERVATORY_MEDIANS_TIMEOUT
    if stale and cache.add(REFRESH_LOCK, 1, settings.HUB_OBSERVATORY_MEDIANS_TIMEOUT or 1):
        from hub.tasks import refresh_observatory_medians  # noqa: PLC0415 (hub.tasks imports this module)

        refresh_observatory_medians.enqueue()
        entry = cache.get(KEY) or entry  # renewed already when tasks run at once (ImmediateBackend)
        medians = entry[2]
    return medians


def comparison_of(medians, indicator, group):
    """(median, count) of a computed indicator for a peer group, or None."""
    found = medians.get(indicator.slug, {}).get(group.key)
    if found is None:
        return None
    typical, count = found
    return Decimal(typical), count
