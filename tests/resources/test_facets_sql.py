"""The facet counts equal counts computed the naive way (issue 11): exact and disjunctive.

A seeded set of projects with mixed programmes, thematics, tags, communes, statuses and years; for each
selection the listing's results, order, pagination and every facet's counts are compared with a plain
Python computation over every project (within a facet values are OR-ed, across facets AND-ed, and a
facet's counts ignore that facet's own selection). Runs on SQLite and on PostgreSQL (DATABASE_URL).
"""

import random

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from wagtail.models import Locale

from hub.models import Programme, Thematic
from hub.models.territories import population_band
from resources.factories import ProjectPageFactory
from resources.listing import project_listing
from resources.models import ProjectPage, ProjectStatus

SELECTIONS = [
    {},
    {"programme": ["acv"]},
    {"programme": ["acv", "pvd"], "thematique": ["commerce"]},
    {"thematique": ["commerce", "habitat"], "region": ["32"], "statut": ["realise"]},
    {"population": ["3500-20000", "gt50000"], "annee": ["2021"]},
    {"tag": ["marche"], "departement": ["80", "59"]},
    {"programme": ["cvv"], "tag": ["patrimoine", "marche"], "population": ["lt3500"]},
]


@pytest.fixture
def mixed_projects(projetotheque):
    """34 more projects with seeded random facet values (40 in all, with the fixture's six)."""
    rng = random.Random(11)
    fr = Locale.objects.get(language_code="fr")
    programmes = list(Programme.objects.filter(locale=fr, slug__in=["acv", "pvd", "cvv"]))
    thematics = list(Thematic.objects.filter(locale=fr, slug__in=["commerce", "habitat", "mobilites"]))
    communes = [project.commune for project in projetotheque["projects"].values()]
    for number in range(34):
        ProjectPageFactory(
            parent=projetotheque["index"],
            title=f"Projet {rng.choice('ABCDEFGH')}{number:02d}",
            commune=rng.choice(communes),
            programmes=rng.sample(programmes, rng.randint(0, 2)),
            thematics=rng.sample(thematics, rng.randint(0, 3)),
            tags=rng.sample(["marché", "patrimoine", "vélo"], rng.randint(0, 2)),
            status=rng.choice([ProjectStatus.ONGOING, ProjectStatus.DONE]),
            start_year=rng.choice([2019, 2021, 2023, None]),
        )
    return projetotheque


def facts(project):
    commune = project.commune
    return {
        "programme": {p.slug for p in project.programmes.all()},
        "thematique": {t.slug for t in project.thematics.all()},
        "region": {commune.department.region.code},
        "departement": {commune.department.code},
        "population": {population_band(commune.population)},
        "statut": {project.status},
        "annee": {str(project.start_year)} if project.start_year else set(),
        "tag": {tag.slug for tag in project.tags.all()},
    }


def naive(index, selection):
    rows = [(page, facts(page)) for page in ProjectPage.objects.child_of(index).live()]

    def matches(row_facts, exclude=None):
        return all(row_facts[param] & set(values) for param, values in selection.items() if values and param != exclude)

    results = [page for page, row_facts in rows if matches(row_facts)]
    counts = {}
    for param in facts(rows[0][0]):
        counts[param] = {}
        for _page, row_facts in rows:
            if matches(row_facts, exclude=param):
                for value in row_facts[param]:
                    counts[param][value] = counts[param].get(value, 0) + 1
    return results, counts


def listing_for(index, selection, **extra):
    request = RequestFactory().get("/fr/projetotheque/", {**selection, **extra})
    return project_listing(request, index)


@pytest.mark.parametrize("selection", SELECTIONS)
def test_counts_and_results_equal_the_naive_computation(mixed_projects, selection):
    index = mixed_projects["index"]
    expected_results, expected_counts = naive(index, selection)
    with translation.override("fr"):
        listing = listing_for(index, selection, tri="titre")
        groups = {group["facet"].param: group for group in listing.facet_groups()}
        for param, counts in expected_counts.items():
            shown = {option.value: option.count for option in groups[param]["options"]}
            selected = set(selection.get(param, []))
            # Shown: every value with projects, plus the selected ones (at zero when none is left).
            assert shown == {**{value: 0 for value in selected}, **counts}, param
        titles = [page.title for page in listing.results()]
    assert titles == [page.title for page in sorted(expected_results, key=lambda page: (page.title, page.pk))]
    assert listing.results().count() == len(expected_results)


def test_pages_partition_the_results_in_order(mixed_projects):
    index = mixed_projects["index"]
    selection = {"thematique": ["commerce", "habitat"]}
    expected, _counts = naive(index, selection)
    expected = [page.pk for page in sorted(expected, key=lambda page: (-page.first_published_at.timestamp(), -page.pk))]
    seen, number = [], 1
    while True:
        page = listing_for(index, selection, page=number, tri="recent").page()
        seen.extend(item.pk for item in page.object_list)
        if not page.has_next():
            break
        number += 1
    assert number > 1 and seen == expected


def test_related_projects_follow_the_shared_thematics_and_tags_rule(mixed_projects):
    """The score is shared thematics + shared tags; ties go to the newest id; live French projects only."""
    index = mixed_projects["index"]
    pages = list(ProjectPage.objects.child_of(index).live())
    by_pk = {page.pk: facts(page) for page in pages}
    for page in pages[:12]:
        mine = by_pk[page.pk]
        scores = {
            other.pk: len(mine["thematique"] & by_pk[other.pk]["thematique"])
            + len(mine["tag"] & by_pk[other.pk]["tag"])
            for other in pages
            if other.pk != page.pk
        }
        expected = sorted((pk for pk, score in scores.items() if score), key=lambda pk: (-scores[pk], -pk))[:3]
        assert [related.pk for related in page.related_projects()] == expected


def test_a_keyword_with_facets_pages_and_counts_every_match_once(mixed_projects):
    """Sorted by relevance (PostgreSQL ranks only the selection's ids and counts that array): the pages
    together hold each matching project exactly once and the count is theirs."""
    index = mixed_projects["index"]
    selection = {"programme": ["acv", "pvd"]}
    in_selection, _counts = naive(index, selection)
    seen, number = [], 1
    with translation.override("fr"):
        # The same matches sorted by title (no ranking): what the ranked pages must hold.
        expected = {page.pk for page in listing_for(index, selection, q="projet", tri="titre").results()}
        assert len(expected) > 5 and expected <= {page.pk for page in in_selection}
        while True:
            request = RequestFactory().get("/fr/projetotheque/", {**selection, "q": "projet", "page": number})
            page = project_listing(request, index, page_size=4).page()
            assert page.paginator.count == len(expected)
            seen.extend(item.pk for item in page.object_list)
            if not page.has_next():
                break
            number += 1
    assert number > 1 and len(seen) == len(set(seen)) and set(seen) == expected


def programme_counts(index):
    with translation.override("fr"):
        groups = {group["facet"].param: group for group in listing_for(index, {}).facet_groups()}
    return {option.value: option.count for option in groups["programme"]["options"]}


def test_the_cached_facet_index_follows_each_publication(mixed_projects):
    """The counts come from a facet index kept between requests: a publication, an unpublication and a
    deletion each show in the next request's counts, and nothing else rebuilds it."""
    index = mixed_projects["index"]
    before = programme_counts(index)
    with CaptureQueriesContext(connection) as unchanged:
        assert programme_counts(index) == before
    # The index is read from the cache: no query groups the projects by programme again.
    assert not [q for q in unchanged.captured_queries if "hub_programme" in q["sql"] and "projectpage_id" in q["sql"]]

    fr = Locale.objects.get(language_code="fr")
    acv = Programme.objects.get(locale=fr, slug="acv")
    commune = mixed_projects["projects"]["halles"].commune
    page = ProjectPageFactory(
        parent=index, title="Projet publié ensuite", live=False, commune=commune, programmes=[acv]
    )
    assert programme_counts(index) == before
    page.save_revision().publish()
    assert programme_counts(index)["acv"] == before["acv"] + 1
    page.refresh_from_db()
    page.unpublish()
    assert programme_counts(index) == before
    page.save_revision().publish()
    page.refresh_from_db()
    page.delete()
    assert programme_counts(index) == before


def test_a_keywords_kept_matches_follow_each_publication(mixed_projects, search_index):
    """A keyword's matching rows are kept beside the facet index: a project published since shows in the
    next search for that keyword, and one unpublished leaves it."""
    index = mixed_projects["index"]
    search_index()

    def found():
        with translation.override("fr"):
            return [page.title for page in listing_for(index, {"q": "chaudronnerie"}).results()]

    assert found() == []
    commune = mixed_projects["projects"]["halles"].commune
    page = ProjectPageFactory(parent=index, title="Ancienne chaudronnerie", live=False, commune=commune)
    page.save_revision().publish()
    search_index()
    assert found() == ["Ancienne chaudronnerie"]
    page.refresh_from_db()
    page.unpublish()
    assert found() == []
