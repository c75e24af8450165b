import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from events.models import EventPage, Registration, RegistrationNotice, RegistrationStatus
from events.tasks import send_registration_notice


class Command(BaseCommand):
    help = (
        "Envoie un rappel aux personnes inscrites aux événements qui commencent bientôt "
        "(EVENTS_REMINDER_HOURS). Idempotent : un second passage n'envoie rien de nouveau."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours", type=int, default=None, help="horizon en heures (défaut : EVENTS_REMINDER_HOURS)"
        )

    def handle(self, *args, **options):
        hours = settings.EVENTS_REMINDER_HOURS if options["hours"] is None else options["hours"]
        now = timezone.now()
        events = EventPage.objects.live().filter(start__gt=now, start__lte=now + datetime.timedelta(hours=hours))
        already = RegistrationNotice.objects.filter(kind="reminder").values("registration_id")
        due = (
            Registration.objects.filter(event__in=events, status=RegistrationStatus.CONFIRMED, anonymised_at=None)
            .exclude(email="")
            .exclude(pk__in=already)
            .values_list("pk", flat=True)
        )
        queued = 0
        for registration_id in due:
            send_registration_notice.enqueue(registration_id, "reminder")
            queued += 1
        self.stdout.write(f"{queued} rappel(s) mis en file d'envoi.")
