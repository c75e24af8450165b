from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hub.territories import ProgrammeMembersImportError, import_programme_members


class Command(BaseCommand):
    help = (
        "Links a programme to the communes of a CSV file of INSEE codes (one per row); "
        "nothing is imported if any row is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("programme_slug", metavar="PROGRAMME_SLUG", help="slug of the programme, e.g. pvd")
        parser.add_argument("csv_path", metavar="CSV_PATH", help="CSV file, header insee or code_insee optional")
        parser.add_argument(
            "--replace", action="store_true", help="also remove the programme from communes missing from the file"
        )

    def handle(self, *args, **options):
        try:
            result = import_programme_members(options["programme_slug"], options["csv_path"], options["replace"])
        except ProgrammeMembersImportError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(
                _("%(count)d erreur(s) dans %(path)s : aucune commune importée.")
                % {"count": len(exc.errors), "path": options["csv_path"]}
            ) from exc

        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Programme « %(programme)s » : %(rows)d communes dans le fichier, %(added)d rattachements ajoutés, "
                    "%(already)d déjà présents."
                )
                % {
                    "programme": result.programme.name,
                    "rows": result.rows,
                    "added": result.added,
                    "already": result.already,
                }
            )
        )
        if options["replace"]:
            self.stdout.write(_("%(removed)d rattachements retirés.") % {"removed": result.removed})
