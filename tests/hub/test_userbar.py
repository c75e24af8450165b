"""Wagtail's userbar on public pages: drawn for the accounts that may use the admin, for them only, and
following a change of their groups at once; a member's page view runs no permission query for it."""

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

USERBAR = "wagtail-userbar"


def test_the_userbar_follows_admin_access_and_costs_members_no_permission_query(client, core_site, django_user_model):
    editors = Group.objects.create(name="Rédaction du test")
    editors.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    account = django_user_model.objects.create_user("camille", "camille@example.org", "x" * 16)
    client.force_login(account)

    client.get("/fr/")
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/fr/").content.decode()
    assert USERBAR not in html
    assert not [q for q in captured.captured_queries if "auth_permission" in q["sql"]]

    account.groups.add(editors)  # now an editor: the bar shows on the next page
    assert USERBAR in client.get("/fr/").content.decode()

    editors.permissions.clear()  # the group loses admin access
    assert USERBAR not in client.get("/fr/").content.decode()

    client.logout()
    assert USERBAR not in client.get("/fr/").content.decode()
