from django.apps import AppConfig, apps
from django.contrib.auth import get_user_model
from django.contrib.auth.management import create_permissions
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _

from hub.cache import renew_scopes

MODERATORS_GROUP = "Modérateurs du réseau"
MODERATOR_PERMISSIONS = {
    "member": ("view", "change", "delete"),
    "organisation": ("view", "add", "change", "delete"),
    "application": ("view", "change"),
    "contactmessage": ("view",),
}


def ensure_moderators_group(**kwargs):
    """The moderators' group and its rights, recreated after every migrate or flush."""
    from django.contrib.auth.models import Group, Permission  # noqa: PLC0415

    # This app comes before django.contrib.auth in INSTALLED_APPS: make sure its permissions exist.
    create_permissions(apps.get_app_config("network"), verbosity=0)
    group, _created = Group.objects.get_or_create(name=MODERATORS_GROUP)
    codenames = [f"{action}_{model}" for model, actions in MODERATOR_PERMISSIONS.items() for action in actions]
    permissions = list(Permission.objects.filter(content_type__app_label="network", codename__in=codenames))
    permissions += list(Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin"))
    group.permissions.add(*permissions)


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Réseau et annuaire")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from network.listing import DIRECTORY_SCOPE  # noqa: PLC0415
        from network.models import Member, Organisation  # noqa: PLC0415

        # The directory's listing is cached for visitors, and its facet index for everyone: any change to
        # who or what is visible must invalidate them at once (a member who hides a profile must disappear
        # now, not in five minutes). Only the directory depends on its scope: the other listings stay.
        def directory_changed(**kwargs):
            renew_scopes([DIRECTORY_SCOPE])

        def account_changed(sender, update_fields=None, **kwargs):
            if update_fields is None or set(update_fields) != {"last_login"}:  # a login changes nothing shown
                directory_changed()

        post_save.connect(account_changed, sender=get_user_model(), weak=False, dispatch_uid="network-cache-user")
        post_delete.connect(
            directory_changed, sender=get_user_model(), weak=False, dispatch_uid="network-cache-del-user"
        )
        for model in (Member, Organisation):
            uid = f"network-cache-{model.__name__}"
            post_save.connect(directory_changed, sender=model, weak=False, dispatch_uid=uid)
            post_delete.connect(directory_changed, sender=model, weak=False, dispatch_uid=f"{uid}-deleted")
        for through in (Member.programmes.through, Member.thematics.through):
            m2m_changed.connect(
                directory_changed, sender=through, weak=False, dispatch_uid=f"network-cache-{through.__name__}"
            )
        post_migrate.connect(ensure_moderators_group, sender=self, dispatch_uid="network-moderators-group")
