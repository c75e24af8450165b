"""The demo's two illustrative indicators and their values (hub/data/demo-indicateurs.csv, written by
hub/data/build_demo_indicators.py), imported by `manage.py load_demo`. Idempotent: the indicators are found
by slug and updated, the values imported like any file (created, updated or unchanged)."""

from pathlib import Path

from hub.models import Commune, Indicator

from .imports import import_rows, read_rows

DEMO_VALUES = Path(__file__).resolve().parent.parent / "data" / "demo-indicateurs.csv"
SOURCE = "Centralités, données de démonstration"

DEMO_INDICATORS = [
    {
        "slug": "vacance-commerciale",
        "name": "Taux de vacance commerciale",
        "name_en": "Commercial vacancy rate",
        "unit": "%",
        "unit_en": "%",
        "definition": (
            "Part des locaux commerciaux du centre-ville qui sont inoccupés, en pourcentage des locaux recensés."
        ),
        "definition_en": "Share of the town centre's commercial premises standing empty, as a percentage of those surveyed.",
        "higher_is_better": False,
        "decimals": 1,
        "sort_order": 1,
    },
    {
        "slug": "frequentation",
        "name": "Indice de fréquentation du centre-ville (base 100 en 2019)",
        "name_en": "Town-centre footfall index (2019 = 100)",
        "unit": "",
        "unit_en": "",
        "definition": "Passages de piétons comptés dans les rues commerçantes du centre, rapportés à ceux de 2019.",
        "definition_en": "Pedestrians counted in the town centre's shopping streets, relative to 2019.",
        "higher_is_better": True,
        "decimals": 1,
        "sort_order": 2,
    },
]


def build_indicators():
    found = []
    for spec in DEMO_INDICATORS:
        fields = {**spec, "source": SOURCE, "illustrative": True}
        indicator, _created = Indicator.objects.update_or_create(slug=spec["slug"], defaults=fields)
        found.append(indicator)
    return found


def load_demo_indicators(stdout=None):
    """Creates the two illustrative indicators and imports their values for the towns this database has."""
    build_indicators()
    rows, _ignored = read_rows(DEMO_VALUES)
    known = set(
        Commune.objects.filter(kind=Commune.Kind.CURRENT, insee_code__in={row.code for row in rows}).values_list(
            "insee_code", flat=True
        )
    )
    rows = [row for row in rows if row.code in known]
    if not rows:
        if stdout:
            stdout.write("  aucune commune de la démonstration : pas de valeurs d'indicateurs")
        return None
    result = import_rows(rows)
    if stdout:
        stdout.write(
            f"  {len(known)} communes, {result.rows} valeurs illustratives : {result.created} créées, "
            f"{result.updated} mises à jour, {result.unchanged} inchangées"
        )
    return result
