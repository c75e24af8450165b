from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from wagtail import hooks

from hub import demo
from hub.models import Commune
from hub.observatory.demo import load_demo_indicators

SIZE_OPTIONS = {
    "projects": 60,
    "resources": 30,
    "events": 15,
    "members": 40,
    "subscribers": 200,
}


class Command(BaseCommand):
    help = "Builds (or updates) the believable French demo site; re-running it does not duplicate anything."

    def add_arguments(self, parser):
        for name, default in SIZE_OPTIONS.items():
            parser.add_argument(f"--{name}", type=int, default=default, help=f"how many {name} (default {default})")
        parser.add_argument("--seed", type=int, default=2018, help="random seed, for repeatable content")
        parser.add_argument(
            "--full-index",
            action="store_true",
            help="rebuild the whole search and reference indexes at the end (update_index, rebuild_references_index): "
            "needed only after import_territories --no-index; what the demo creates is indexed as it is created",
        )
        parser.add_argument("--no-index", action="store_true", help="no full rebuild at the end (the default)")

    def handle(self, *args, **options):
        for name in SIZE_OPTIONS:
            if options[name] < 0:
                raise CommandError(f"--{name} ne peut pas être négatif.")
        if not Commune.objects.exists():
            raise CommandError("Aucune commune : lancez d'abord « manage.py import_territories ».")

        self.stdout.write("Taxonomie (programmes, thématiques)…")
        demo.build_taxonomy()
        self.stdout.write("Pages du socle (accueil, réseau, programmes, pages légales) en français et en anglais…")
        home = demo.build_site()

        sizes = {name: options[name] for name in SIZE_OPTIONS}
        for hook in hooks.get_hooks("hub_load_demo"):
            hook(home=home, sizes=sizes, seed=options["seed"], stdout=self.stdout)
        self.stdout.write("Observatoire : indicateurs illustratifs (vacance commerciale, fréquentation)…")
        load_demo_indicators(self.stdout)

        if options["full_index"] and not options["no_index"]:
            self.stdout.write("Index de recherche et des références (reconstruction complète)…")
            call_command("update_index", verbosity=0)
            call_command("rebuild_references_index", verbosity=0)
        self.stdout.write(self.style.SUCCESS("Site de démonstration prêt."))
