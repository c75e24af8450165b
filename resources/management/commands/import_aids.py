from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from resources.aid_import import AidImportError, import_aids


class Command(BaseCommand):
    help = (
        "Imports financing aids from an aides-territoires JSON file (an API list response or a list of aids); "
        "every aid is checked first and nothing is imported if any is malformed. Re-running it updates the aids "
        "whose values changed and leaves the others alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("json_path", metavar="FILE.json", help="JSON file; see resources/aid_import.py")

    def handle(self, *args, **options):
        try:
            result = import_aids(options["json_path"])
        except AidImportError as exc:
            raise CommandError(
                "\n".join(
                    [
                        _("%(count)d erreur(s) dans %(path)s : aucune aide importée.")
                        % {"count": len(exc.errors), "path": options["json_path"]},
                        *exc.errors,
                    ]
                )
            ) from exc
        for line in result.warnings:
            self.stdout.write(self.style.WARNING(line))
        for line in result.notes:
            self.stdout.write(line)
        if options["verbosity"] > 1:
            for line in result.written:
                self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(aids)d aides lues : créées %(created)d, mises à jour %(updated)d, inchangées %(unchanged)d, "
                    "ignorées %(skipped)d."
                )
                % {
                    "aids": result.aids,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "skipped": result.skipped,
                }
            )
        )
