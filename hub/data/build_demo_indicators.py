"""Write hub/data/demo-indicateurs.csv: illustrative values of two indicators for the Action cœur de ville
towns, which `manage.py load_demo` imports. The values are invented (the demo says so on every page showing
them); they only need to look plausible and to be the same at every run.

Usage (from the project root; no Django needed): python hub/data/build_demo_indicators.py

- `vacance-commerciale`: the share of empty shops in the town centre (%), drifting down slowly after 2019
  with a bump during the 2020–2021 closures;
- `frequentation`: a footfall index, base 100 in 2019, falling in 2020 and recovering since.

Each town's values come from a generator seeded with its INSEE code, so adding or removing a town does not
change the others'.
"""

import csv
import gzip
import hashlib
import json
import random
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
TOWNS = DATA_DIR / "communes-acv.geojson.gz"
OUTPUT = DATA_DIR / "demo-indicateurs.csv"
YEARS = range(2019, 2025)
VACANCY, FOOTFALL = "vacance-commerciale", "frequentation"


def town_codes():
    with gzip.open(TOWNS, "rt", encoding="utf-8") as source:
        features = json.load(source)["features"]
    return sorted({feature["properties"]["insee_com"] for feature in features})


def town_random(code):
    return random.Random(int(hashlib.sha256(f"centralites-demo-{code}".encode()).hexdigest()[:16], 16))


def vacancy_rates(rng):
    rate = min(24.0, max(4.0, rng.gauss(11.5, 3.5)))
    for year in YEARS:
        yield year, round(rate, 1)
        closures = 0.6 if year in (2019, 2020) else 0.0
        rate = min(28.0, max(2.5, rate + rng.uniform(-0.9, 0.35) + closures))


def footfall(rng):
    index = 100.0
    for year in YEARS:
        yield year, round(index, 1)
        if year == 2019:
            index = 100 * rng.uniform(0.66, 0.82)
        elif year == 2020:
            index = 100 * rng.uniform(0.84, 0.96)
        else:
            index = index + rng.uniform(-2.0, 5.0)


def rows():
    for code in town_codes():
        rng = town_random(code)
        for year, value in vacancy_rates(rng):
            yield VACANCY, code, year, f"{value:.1f}"
        for year, value in footfall(rng):
            yield FOOTFALL, code, year, f"{value:.1f}"


def main():
    with OUTPUT.open("w", encoding="utf-8", newline="") as output:
        writer = csv.writer(output, lineterminator="\n")
        writer.writerow(["indicateur", "code", "annee", "valeur"])
        writer.writerows(rows())
    print(f"{OUTPUT.name}: {sum(1 for _line in OUTPUT.open()) - 1} values")


if __name__ == "__main__":
    main()
