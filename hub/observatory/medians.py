"""The medians territory pages compare the site's own figures with, and those figures in every programme
town for the observatory's table, kept apart from the request path.

A computed indicator's median reads every row of its app (every project, every member…): computed for each
page, it would make the page's cost grow with the site's content. The medians of every peer group (the towns
of a programme in a population band; all the EPCI, départements or régions) are computed at once, stored in
the cache with no expiry, and renewed in the background (`hub.tasks.refresh_observatory_medians`, run by
`db_worker`) once they are older than HUB_OBSERVATORY_MEDIANS_TIMEOUT or the territories changed (the
content generation): meanwhile, pages show the previous ones. Only the first page ever shown, or the first
after the cache was lost, computes them itself (one request does; the others wait for it).

A territory page's own value is always live: it is read for that territory alone. The observatory's table
of a computed indicator shows the stored values (at most HUB_OBSERVATORY_MEDIANS_TIMEOUT old, plus the
renewal's time).
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

KEY = "hub:observatory:stored"
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
    """({indicator slug: {group key: (median, count)}}, {indicator slug: {town pk: {year: value}}}): every
    computed indicator's medians for every peer group, and its values in every programme town (the
    observatory's table compares those)."""
    groups = commune_groups()
    programme_towns = sorted({pk for pks in groups.values() for pk in pks})
    counts = {kind: model.objects.count() for kind, model in KIND_MODELS.items() if kind != COMMUNE}
    found, town_values = {}, {}
    for indicator in computed_indicators():
        medians = {}
        towns = indicator.values_for(COMMUNE, programme_towns)
        for key, pks in groups.items():
            medians[key] = _median(indicator, [value_at(indicator, towns.get(pk), TO_DATE) for pk in pks], len(pks))
        for kind, count in counts.items():
            values = [value_at(indicator, years, TO_DATE) for years in indicator.values_for(kind, None).values()]
            medians[kind] = _median(indicator, values, count)
        found[indicator.slug] = {key: value for key, value in medians.items() if value is not None}
        town_values[indicator.slug] = towns
    return found, town_values


def _median(indicator, values, count):
    typical = median_of(values, count if indicator.zero_when_missing else None)
    counted = count if indicator.zero_when_missing else len([v for v in values if v is not None])
    return (typical, counted) if typical is not None and counted else None


def store():
    """Compute everything now and keep it (the background task's work); the next renewal may then start.
    Each indicator's town values are kept apart, so the table of one indicator reads that one only."""
    state = (content_generation(), time.time())
    medians, town_values = compute()
    entries = {f"{KEY}:medians": (*state, medians)}
    entries.update({f"{KEY}:towns:{slug}": (*state, values) for slug, values in town_values.items()})
    cache.set_many(entries, timeout=None)
    cache.delete(REFRESH_LOCK)
    return True


def _current(name):
    """What is stored under `name`, renewed in the background once out of date; None if never stored (an
    indicator declared since the last renewal, say)."""
    key = f"{KEY}:{name}"
    entry = cache.get(key)
    if entry is None:
        # The first request since the cache was emptied computes it (the others wait), once per timeout.
        built_once(f"{KEY}:built", store, timeout=settings.HUB_OBSERVATORY_MEDIANS_TIMEOUT or 1)
        entry = cache.get(key)
        if entry is None:
            return None
    generation, computed_at, data = entry
    stale = generation != content_generation() or time.time() - computed_at > settings.HUB_OBSERVATORY_MEDIANS_TIMEOUT
    if stale and cache.add(REFRESH_LOCK, 1, settings.HUB_OBSERVATORY_MEDIANS_TIMEOUT or 1):
        from hub.tasks import refresh_observatory_medians  # noqa: PLC0415 (hub.tasks imports this module)

        refresh_observatory_medians.enqueue()
        entry = cache.get(key) or entry  # renewed already when tasks run at once (ImmediateBackend)
        data = entry[2]
    return data


def current():
    """The stored medians: {indicator slug: {group key: (median, count)}}."""
    return _current("medians") or {}


def town_values(indicator):
    """A computed indicator's stored values in every programme town ({town pk: {year: value}}), or None."""
    return _current(f"towns:{indicator.slug}")


def comparison_of(medians, indicator, group):
    """(median, count) of a computed indicator for a peer group, or None."""
    found = medians.get(indicator.slug, {}).get(group.key)
    if found is None:
        return None
    typical, count = found
    return Decimal(typical), count
