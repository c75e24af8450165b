from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from newsletter import recovery

MANAGERS_GROUP = "Gestionnaires de la newsletter"


def ensure_managers_group(sender=None, **kwargs):
    """The newsletter managers' group and its permissions; safe to run after every migrate."""
    from django.contrib.auth.models import Group, Permission  # noqa: PLC0415

    group, _created = Group.objects.get_or_create(name=MANAGERS_GROUP)
    wanted = Permission.objects.filter(
        content_type__app_label="newsletter",
        codename__in=[
            "view_subscriber",
            "change_subscriber",
            "delete_subscriber",
            "view_delivery",
            "send_newsletter",
        ],
    ) | Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin")
    group.permissions.add(*wanted)
    _grant_archive_pages(group)
    return group


def _grant_archive_pages(group):
    """Lets the group edit and publish issues under every newsletter archive page that exists."""
    from newsletter.models import NewsletterIndexPage  # noqa: PLC0415

    for index in NewsletterIndexPage.objects.all():
        for codename in ("add_page", "change_page", "publish_page"):
            _grant(group, index, codename)


def _grant(group, index, codename):
    from django.contrib.auth.models import Permission  # noqa: PLC0415
    from wagtail.models import GroupPagePermission  # noqa: PLC0415

    permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
    GroupPagePermission.objects.get_or_create(group=group, page_id=index.pk, permission=permission)


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("Lettre d'information")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from newsletter import webhooks  # noqa: F401, PLC0415 — connects the bounce/complaint receiver

        post_migrate.connect(ensure_managers_group, sender=self, dispatch_uid="newsletter-managers-group")

        recovery.connect_signals()  # tasks run by a database worker hold a "still alive" lock
        if recovery.is_worker_process():
            recovery.start_reclaimer()
