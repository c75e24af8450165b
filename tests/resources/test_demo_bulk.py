"""Projects inserted in bulk by the demo are indexed as saving each page would have indexed it."""

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from wagtail.models import ReferenceIndex
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry

from hub.demo import search_index_bulk
from network.models import Member
from resources.models import ProjectPage


def _project_references():
    return sorted(
        ReferenceIndex.objects.filter(
            object_id__in=[str(pk) for pk in ProjectPage.objects.values_list("pk", flat=True)]
        ).values_list("object_id", "to_content_type_id", "to_object_id", "model_path", "content_path")
    )


def test_bulk_projects_have_their_references_and_search_rows(core_site, territory):
    sizes = ["--resources", "0", "--events", "0", "--members", "0", "--subscribers", "0"]
    call_command("load_demo", "--projects", "12", *sizes, verbosity=0)
    bulk = _project_references()
    assert {path for *_ids, path, _content in bulk} >= {"commune", "gallery_images.item.image"}
    call_command("rebuild_references_index", verbosity=0)
    assert _project_references() == bulk  # what Wagtail records from each page, saved one by one
    title = ProjectPage.objects.order_by("pk").first().title
    assert ProjectPage.objects.live().search(title.split()[0]).count() > 0


def _index_rows(model):
    fields = [f.attname for f in IndexEntry._meta.concrete_fields if f.attname not in {"id", "title_norm"}]
    content_type = ContentType.objects.get_for_model(model)
    rows = IndexEntry.objects.filter(content_type=content_type).order_by("object_id").values_list(*fields)
    return [tuple(str(value) for value in row) for row in rows]


def test_bulk_search_rows_equal_what_update_index_writes(core_site, territory):
    """The demo extracts each search field once (modelsearch extracts it five times): same rows."""

    sizes = ["--resources", "0", "--events", "0", "--members", "6", "--subscribers", "0"]
    call_command("load_demo", "--projects", "20", *sizes, verbosity=0)
    assert len(_index_rows(ProjectPage)) == ProjectPage.objects.count() == 20
    assert any("Diagnostic structurel" in " ".join(row) for row in _index_rows(ProjectPage))  # StreamField text
    backend = get_search_backend()
    for model, related in ((ProjectPage, ["tags", "thematics"]), (Member, [])):
        objs = list(model.objects.prefetch_related(*related))  # one order of tags for both
        search_index_bulk(model, objs)
        bulk = _index_rows(model)
        backend.add_bulk(model, objs)  # what update_index does
        assert _index_rows(model) == bulk
        assert len(bulk) == len(objs)
