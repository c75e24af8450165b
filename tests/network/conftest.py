import pytest

from network.demo import build_index
from network.factories import MemberFactory
from network.models import Visibility


@pytest.fixture
def directory(core_site):
    """The directory page (French, with its English translation) under the demo home page."""

    return build_index(core_site)


@pytest.fixture
def people(directory, abbeville):
    """One member per visibility, plus one public profile without consent, with known names."""
    return {
        "public": MemberFactory(
            first_name="Paula", last_name="Publique", visibility=Visibility.PUBLIC, commune=abbeville
        ),
        "members": MemberFactory(first_name="Marc", last_name="Réservé", visibility=Visibility.MEMBERS),
        "hidden": MemberFactory(first_name="Hugo", last_name="Masqué", visibility=Visibility.HIDDEN),
        "no_consent": MemberFactory(first_name="Nina", last_name="Sansaccord", consent_to_appear=False),
    }


@pytest.fixture
def member_client(client, people):
    """A client logged in as a member (the public one)."""
    client.force_login(people["public"].user)
    return client


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Runs the callbacks a view registered with transaction.on_commit (emails are queued that way)."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run
