from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from resources import signals


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = _("Projétothèque et ressources")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        signals.silence_wagtail_notifications_for_proposals()
