from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hub.observatory.imports import IndicatorImportError, import_indicators


class Command(BaseCommand):
    help = (
        "Imports indicator values from a CSV file (columns indicateur,code,annee,valeur, optionally niveau); "
        "every row is checked first and nothing is imported if any is wrong. Re-running it updates the values."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_path", metavar="FILE.csv", help="CSV file; see hub/observatory/imports.py")

    def handle(self, *args, **options):
        try:
            result = import_indicators(options["csv_path"])
        except IndicatorImportError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(
                _("%(count)d erreur(s) dans %(path)s : aucune valeur importée.")
                % {"count": len(exc.errors), "path": options["csv_path"]}
            ) from exc
        if result.ignored_columns:
            self.stdout.write(_("Colonnes ignorées : %(columns)s") % {"columns": ", ".join(result.ignored_columns)})
        self.stdout.write(
            self.style.SUCCESS(
                _("%(rows)d valeurs lues : %(created)d créées, %(updated)d mises à jour, %(unchanged)d inchangées.")
                % {
                    "rows": result.rows,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                }
            )
        )
