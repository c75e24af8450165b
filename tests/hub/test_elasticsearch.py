"""Runs only against a real Elasticsearch 9 (ELASTICSEARCH_URL); skipped, saying so, otherwise."""

import os

import pytest
from django.core.management import call_command
from django.test import override_settings

ES_URL = os.environ.get("ELASTICSEARCH_URL")

pytestmark = [
    pytest.mark.elasticsearch,
    pytest.mark.skipif(not ES_URL, reason="Elasticsearch not configured: set ELASTICSEARCH_URL to run these tests"),
]

ES_BACKENDS = {
    "default": {
        "BACKEND": "wagtail.search.backends.elasticsearch9",
        "URLS": [ES_URL or "http://127.0.0.1:9200"],
        "INDEX_PREFIX": "centralites_test_",
        "TIMEOUT": 30,
        "INDEX_SETTINGS": {"settings": {"index": {"number_of_shards": 1, "number_of_replicas": 0}}},
    }
}


@override_settings(WAGTAILSEARCH_BACKENDS=ES_BACKENDS)
def test_site_search_through_elasticsearch(client, core_site):
    call_command("update_index", verbosity=0)
    html = client.get("/fr/recherche/", {"q": "programmes"}).content.decode()
    assert 'href="/fr/les-programmes/"' in html
    assert "/en/the-programmes/" not in html
