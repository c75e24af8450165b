"""The database search backend, with each language stemmed by its own PostgreSQL text-search configuration.

modelsearch's PostgreSQL backend has one `SEARCH_CONFIG` for every row and every query: with "french",
an English page's "cycling" is indexed as "cycling" and the query "cycle" never finds it. This backend
indexes each translatable row with the configuration of its locale's language and lets a search name
the language it runs in (`hub.search.search_results(..., language="en")`). Rows that are not
translatable, and queries that name no language, keep `SEARCH_CONFIG`.

Used as `WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "hub.search_backend", "SEARCH_CONFIG": "french"}}`;
on SQLite (and other databases) it is modelsearch's database backend unchanged. After switching to it,
run `manage.py update_index` once so existing English rows are re-indexed with the English configuration.
"""

import copy
import functools

from django.db import connection
from modelsearch.backends.database import SearchBackend as _database_backend
from modelsearch.backends.database.postgres.postgres import (
    PostgresIndex,
    PostgresSearchBackend,
    PostgresSearchQueryCompiler,
    PostgresSearchResults,
)
from wagtail.models import Locale

# Language code -> PostgreSQL text search configuration (`\dF` lists those installed).
LANGUAGE_CONFIGS = {"fr": "french", "en": "english"}


def config_for(language, default):
    return LANGUAGE_CONFIGS.get((language or "").split("-")[0], default)


@functools.cache
def _postgres_backend_class():
    class LocalizedPostgresIndex(PostgresIndex):
        def add_items(self, model, objs):
            languages = dict(Locale.objects.values_list("pk", "language_code"))
            groups = {}
            for obj in objs:
                language = languages.get(getattr(obj, "locale_id", None))
                groups.setdefault(config_for(language, self.backend.config), []).append(obj)
            backend = self.backend
            try:
                for config, group in groups.items():
                    # modelsearch's indexer reads the configuration from the backend it is given.
                    self.backend = copy.copy(backend)
                    self.backend.config = config
                    super().add_items(model, group)
            finally:
                self.backend = backend

    class LocalizedSearchQueryCompiler(PostgresSearchQueryCompiler):
        language = None  # set by hub.search.search_results

        def get_config(self, backend):
            return config_for(self.language, backend.config)

    class LocalizedSearchResults(PostgresSearchResults):
        pass

    class LocalizedPostgresSearchBackend(PostgresSearchBackend):
        query_compiler_class = LocalizedSearchQueryCompiler
        index_class = LocalizedPostgresIndex
        results_class = LocalizedSearchResults

    return LocalizedPostgresSearchBackend


def SearchBackend(params):  # noqa: N802 - the name modelsearch looks up in a backend module

    if connection.vendor == "postgresql":
        return _postgres_backend_class()(params)
    return _database_backend(params)
