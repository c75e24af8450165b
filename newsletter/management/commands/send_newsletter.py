from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from hub.models import Programme, Thematic
from newsletter.models import NewsletterIssuePage
from newsletter.sending import SendError, figures, send_test, start_sending


class Command(BaseCommand):
    help = (
        "Sends an issue to the active subscribers (or to a segment) through background tasks, or a test to "
        "one address with --test-to. Running it again only adds subscribers who have not received the issue."
    )

    def add_arguments(self, parser):
        parser.add_argument("issue_id", type=int, help="page id of the NewsletterIssuePage")
        parser.add_argument("--test-to", metavar="EMAIL", help="send one test message to EMAIL (marks nothing sent)")
        parser.add_argument("--programme", action="append", default=[], metavar="SLUG", help="segment (repeatable)")
        parser.add_argument("--thematique", action="append", default=[], metavar="SLUG", help="segment (repeatable)")

    def handle(self, *args, issue_id, test_to=None, programme=(), thematique=(), **options):
        issue = NewsletterIssuePage.objects.filter(pk=issue_id).first()
        if issue is None:
            raise CommandError(f"Aucun numéro de lettre n'a l'identifiant {issue_id}.")
        if test_to:
            try:
                validate_email(test_to)
            except ValidationError as error:
                raise CommandError(f"Adresse de test invalide : {test_to}") from error
            send_test(issue, test_to)
            self.stdout.write(self.style.SUCCESS(f"Test envoyé à {test_to} (le numéro n'est pas marqué envoyé)."))
            return
        programmes = list(Programme.objects.filter(locale__language_code="fr", slug__in=programme))
        thematics = list(Thematic.objects.filter(locale__language_code="fr", slug__in=thematique))
        unknown = (set(programme) - {p.slug for p in programmes}) | (set(thematique) - {t.slug for t in thematics})
        if unknown:
            raise CommandError(f"Segment inconnu : {', '.join(sorted(unknown))}")
        try:
            added = start_sending(issue, programmes=programmes, thematics=thematics)
        except SendError as error:
            raise CommandError(str(error)) from error
        state = figures(issue)
        self.stdout.write(
            self.style.SUCCESS(
                f"{added} destinataires ajoutés ; {state['sent']} envoyés, {state['queued']} en file, "
                f"{state['failed']} échecs. Les envois partent par « manage.py db_worker »."
            )
        )
