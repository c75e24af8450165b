import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Creates the local administrator account if missing and prints how to log in."

    def add_arguments(self, parser):
        parser.add_argument("--username", default=os.environ.get("HUB_ADMIN_USERNAME", "admin"))
        parser.add_argument("--email", default=os.environ.get("HUB_ADMIN_EMAIL", "admin@centralites.localhost"))

    def handle(self, *args, **options):
        User = get_user_model()
        username = options["username"]
        # A generated password is kept in var/ (git-ignored) so that every `make run` can print it again.
        password_file = Path(settings.BASE_DIR) / "var" / "admin-password.txt"
        password = os.environ.get("HUB_ADMIN_PASSWORD")
        if not password and password_file.exists():
            password = password_file.read_text().strip()
        if not password:
            password = secrets.token_urlsafe(12)
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
        user = User.objects.filter(username=username).first()
        if user is None:
            User.objects.create_superuser(username=username, email=options["email"], password=password)
            self.stdout.write(self.style.SUCCESS("Compte administrateur créé."))
        elif not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        self.stdout.write(
            f"Administration : {settings.SITE_BASE_URL}/admin/ — identifiant « {username} », "
            f"mot de passe « {password} »"
        )
