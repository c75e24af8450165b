from django.core.management.base import BaseCommand, CommandError

from newsletter.drafting import draft_next_issue


class Command(BaseCommand):
    help = (
        "Creates the current month's issue as a draft (next month's once the current month has one), from what "
        "was published since the last issue."
    )

    def handle(self, *args, **options):
        try:
            issue, created = draft_next_issue()
        except LookupError as error:
            raise CommandError(str(error)) from error
        if created:
            self.stdout.write(self.style.SUCCESS(f"Brouillon créé : « {issue.title} » (page {issue.pk})."))
        else:
            self.stdout.write(f"Le numéro « {issue.title} » existe déjà (page {issue.pk}) : rien de créé.")
