from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from events import signals

ORGANISERS_GROUP = "Organisateurs d'événements"


def ensure_organisers_group(sender=None, **kwargs):
    """The organisers' group with the right to manage registrations and to open the admin; idempotent."""
    from django.contrib.auth.models import Group, Permission  # noqa: PLC0415

    if kwargs.get("using", "default") != "default":
        return

    group, _created = Group.objects.get_or_create(name=ORGANISERS_GROUP)
    wanted = Permission.objects.filter(
        content_type__app_label__in=["events", "wagtailadmin"],
        codename__in=["manage_registrations", "access_admin"],
    )
    group.permissions.add(*wanted)


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Événements")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Not restricted to this app's signal: the permissions it grants are created by other apps'
        # post_migrate handlers, so it runs (idempotently) after each app and the last run sees them all.
        post_migrate.connect(ensure_organisers_group, dispatch_uid="events-organisers-group")

        signals.connect()
