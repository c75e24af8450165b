import pytest
from django.core.management import call_command


@pytest.fixture
def core_site(db):
    """The core demo pages (home, network, programmes, legal pages) in French and English."""
    from hub import demo

    demo.build_taxonomy()
    return demo.build_site()


@pytest.fixture
def abbeville(db):
    from hub.models import Commune, Department, Region

    region = Region.objects.create(code="32", name="Hauts-de-France", slug="hauts-de-france")
    department = Department.objects.create(code="80", name="Somme", slug="somme", region=region)
    return Commune.objects.create(
        insee_code="80001",
        name="Abbeville",
        slug="abbeville-80001",
        population=22595,
        department=department,
        latitude=50.1086,
        longitude=1.8322,
    )


@pytest.fixture
def search_index(db):
    """Rebuilds the search index for what the test created (the database backend indexes on save too)."""

    def rebuild():
        call_command("update_index", verbosity=0)

    return rebuild


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (responses are cached for anonymous visitors)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
