import argparse
import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from resources.aid_reminders import send_due_reminders


def iso_date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"date invalide : {value!r} (attendu : AAAA-MM-JJ).") from error


class Command(BaseCommand):
    help = (
        "Envoie aux éditeurs des aides financières leurs rappels du jour : 14 jours avant la clôture d'une "
        "aide, et le jour où sa dernière vérification a six mois. À lancer chaque jour par cron "
        "(par exemple « 0 7 * * * manage.py send_aid_reminders »). Idempotent : un second passage le même "
        "jour n'envoie rien de nouveau."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=iso_date, default=None, help="le jour à traiter, AAAA-MM-JJ (défaut : aujourd'hui)"
        )

    def handle(self, *args, **options):
        outcome = send_due_reminders(options["date"])
        self.stdout.write(f"{outcome.sent} rappel(s) envoyé(s), {outcome.skipped} déjà envoyé(s).")
        if outcome.failed:
            day = (options["date"] or timezone.localdate()).isoformat()
            raise CommandError(
                f"{outcome.failed} rappel(s) non envoyé(s) : relancez la commande avec --date {day} pour les envoyer."
            )
