import argparse
import datetime

from django.core.management.base import BaseCommand, CommandError

from resources.aid_reminders import send_due_reminders


def iso_date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"date invalide : {value!r} (attendu : AAAA-MM-JJ).") from error


class Command(BaseCommand):
    help = (
        "Envoie aux éditeurs des aides financières leurs rappels dus : quand la clôture d'une aide est dans "
        "14 jours ou moins, et quand sa dernière vérification a six mois ou plus. À lancer chaque jour par "
        "cron (par exemple « 0 7 * * * manage.py send_aid_reminders ») ; un jour manqué est rattrapé au "
        "passage suivant. Idempotent : chaque rappel est envoyé une fois par date de clôture et par date de "
        "vérification, enregistrée sur l'aide ; un second passage n'envoie rien de nouveau."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=iso_date, default=None, help="le jour à traiter, AAAA-MM-JJ (défaut : aujourd'hui)"
        )

    def handle(self, *args, **options):
        outcome = send_due_reminders(options["date"])
        self.stdout.write(
            f"{outcome.reminders} rappel(s) envoyé(s) ({outcome.sent} e-mail(s)), "
            f"{outcome.skipped} déjà envoyé(s) par un autre passage."
        )
        problems = []
        if outcome.released:
            problems.append(
                f"{outcome.released} rappel(s) non envoyé(s), aucun destinataire joint : le prochain passage "
                "les enverra (relancez la commande)"
            )
        if outcome.undelivered:
            problems.append(
                f"{outcome.undelivered} e-mail(s) refusé(s) pour des rappels reçus par d'autres destinataires : "
                "ils ne seront pas renvoyés (voir le journal)"
            )
        if problems:
            raise CommandError(" ; ".join(problems) + ".")
