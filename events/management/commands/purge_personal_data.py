from django.core.management.base import BaseCommand
from django.db import transaction

from events.personal_data import anonymise, expired_registrations, retention_cutoff, retention_months


class Command(BaseCommand):
    help = (
        "Anonymise les inscriptions aux événements terminés depuis plus de "
        "EVENTS_PERSONAL_DATA_RETENTION_MONTHS mois. Les statuts restent pour les bilans."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="compte sans rien modifier")

    def handle(self, *args, **options):
        cutoff = retention_cutoff()
        with transaction.atomic():
            due = expired_registrations()
            count = due.count()
            if options["dry_run"]:
                self.stdout.write(
                    f"{count} inscription(s) seraient anonymisées (événements terminés avant le "
                    f"{cutoff:%d/%m/%Y}, conservation {retention_months()} mois)."
                )
                return
            done = anonymise(due)
        self.stdout.write(f"{done} inscription(s) anonymisée(s) (événements terminés avant le {cutoff:%d/%m/%Y}).")
