from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from hub import checks  # noqa: F401  (registers the deploy checks)
from hub.cache import connect_invalidation


class HubConfig(AppConfig):
    name = "hub"
    verbose_name = _("Socle du site")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        connect_invalidation()
