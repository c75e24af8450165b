import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hub import territories
from hub.models import Commune

UNKNOWN_POINTS_SHOWN = 20


class Command(BaseCommand):
    help = (
        "Imports (or updates) régions, départements, EPCI/EPT and communes from Etalab's découpage administratif, "
        "the communes' coordinates and the Action cœur de ville towns; re-running it does not duplicate anything."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            metavar="DIR",
            help="folder with Etalab's original JSON files (regions.json, departements.json, epci.json, ept.json, "
            "communes.json); default: the trimmed copy shipped in hub/data",
        )
        parser.add_argument(
            "--acv",
            metavar="PATH",
            help="ANCT's communes-acv.geojson (plain or .gz); default: the copy shipped in hub/data",
        )
        parser.add_argument(
            "--points",
            metavar="PATH",
            help="CSV of commune points (insee,kind,lat,lon; plain or .gz); default: hub/data/commune-points.csv.gz",
        )
        parser.add_argument(
            "--no-index",
            action="store_true",
            help="skip indexing the created or changed communes for search (manage.py update_index does it later)",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            if options["source"]:
                self.stdout.write(_("Lecture des fichiers Etalab de %(path)s…") % {"path": options["source"]})
                decoupage = territories.load_decoupage_dir(options["source"])
            else:
                self.stdout.write(_("Lecture des données fournies avec le site (hub/data)…"))
                decoupage = territories.load_shipped_decoupage()
            acv = territories.load_acv(options["acv"] or territories.SHIPPED_ACV)
            points = territories.load_points(options["points"] or territories.SHIPPED_POINTS)
            result = territories.import_territories(decoupage, acv, progress=self.report_stage, points=points)
        except territories.TerritoryDataError as exc:
            raise CommandError(str(exc)) from exc

        if not options["no_index"]:
            # Only what this run created or changed: a first import indexes everything, a re-run next to nothing.
            changed = result.communes.changed_ids
            count = len(changed) if changed is not None else result.communes.total
            self.stdout.write(
                ngettext(
                    "Index de recherche : %(count)d commune à indexer…",
                    "Index de recherche : %(count)d communes à indexer…",
                    count,
                )
                % {"count": count}
            )
            indexed = territories.update_commune_search_index(changed)
            self.stdout.write(
                ngettext("  %(count)d commune indexée", "  %(count)d communes indexées", indexed) % {"count": indexed}
            )

        self.stdout.write(
            self.style.SUCCESS(
                _("Import terminé en %(seconds).1f s (créations : %(created)d, mises à jour : %(updated)d).")
                % {"seconds": time.monotonic() - started, "created": result.created, "updated": result.updated}
            )
        )
        for stage, counts in result.stages.items():
            self.stdout.write(f"  {self.stage_label(stage)} : {counts.total}")
        if result.acv:
            self.stdout.write(
                _("  Communes %(programme)s : %(count)d")
                % {"programme": result.acv.programme.label, "count": result.acv.programme.communes.count()}
            )

    @staticmethod
    def stage_label(stage):
        return {
            "regions": _("Régions"),
            "departments": _("Départements"),
            "epcis": _("EPCI"),
            "epts": _("EPT"),
            "communes": _("Communes"),
        }[stage]

    def report_stage(self, stage, counts):
        """One console line per stage, as soon as it is done."""
        if stage == "points":
            self.report_points(counts)
            return
        if stage == "acv":
            if counts.programme_created:
                self.stdout.write(_("Programme « %(name)s » créé.") % {"name": counts.programme.name})
            self.stdout.write(
                _(
                    "Action cœur de ville : %(matched)d communes trouvées, %(coordinates)d coordonnées mises à jour, "
                    "%(links)d rattachements ajoutés."
                )
                % {"matched": counts.matched, "coordinates": counts.coordinates_updated, "links": counts.links_added}
            )
            if counts.unmatched:
                self.stdout.write(
                    self.style.WARNING(
                        _("  Codes INSEE ACV sans commune : %(codes)s") % {"codes": ", ".join(counts.unmatched)}
                    )
                )
            return
        # French agrees the participles with the noun: régions and communes are feminine, the others masculine.
        feminine = stage in ("regions", "communes")
        if feminine:
            template = _("%(label)s : %(created)d créées, %(updated)d mises à jour, %(unchanged)d inchangées")
        else:
            template = _("%(label)s : %(created)d créés, %(updated)d mis à jour, %(unchanged)d inchangés")
        line = template % {
            "label": self.stage_label(stage),
            "created": counts.created,
            "updated": counts.updated,
            "unchanged": counts.unchanged,
        }
        if counts.absent:
            absent = (
                _(" ; %(absent)d absentes de la source, conservées")
                if feminine
                else _(" ; %(absent)d absents de la source, conservés")
            )
            line += absent % {"absent": counts.absent}
        self.stdout.write(line)

    def report_points(self, result):
        self.stdout.write(
            _("Coordonnées : %(placed)d communes placées (%(updated)d mises à jour), %(unmatched)d sans point.")
            % {"placed": result.placed, "updated": result.updated, "unmatched": len(result.unmatched)}
        )
        if result.unmatched:
            codes = ", ".join(self.code_label(*key) for key in result.unmatched)
            self.stdout.write(self.style.WARNING(_("  Communes sans point : %(codes)s") % {"codes": codes}))
        if result.unknown:
            # A source other than the shipped one may leave thousands: name only the first ones.
            codes = ", ".join(self.code_label(*key) for key in result.unknown[:UNKNOWN_POINTS_SHOWN])
            if len(result.unknown) > UNKNOWN_POINTS_SHOWN:
                codes += ", …"
            self.stdout.write(
                self.style.WARNING(
                    _("  Points sans commune : %(count)d (%(codes)s)") % {"count": len(result.unknown), "codes": codes}
                )
            )

    @staticmethod
    def code_label(code, kind):
        """The INSEE code, with the kind for the kinds that may share it with a current commune."""
        if kind == Commune.Kind.CURRENT:
            return code
        return f"{code} ({Commune.Kind(kind).label})"
