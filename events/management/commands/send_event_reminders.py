import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from events.models import EventPage, Registration, RegistrationNotice, RegistrationStatus


class Command(BaseCommand):
    help = (
        "Envoie un rappel aux personnes inscrites aux événements qui commencent bientôt "
        "(EVENTS_REMINDER_HOURS, 48 h par défaut). Idempotent : un second passage n'envoie rien de nouveau."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=None, help="horizon en heures (défaut : 48)")

    def handle(self, *args, **options):
        from events.tasks import send_registration_notice

        hours = options["hours"] or settings.EVENTS_REMINDER_HOURS
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
