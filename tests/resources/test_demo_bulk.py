"""Projects inserted in bulk by the demo are indexed as saving each page would have indexed it."""

from django.core.management import call_command
from wagtail.models import ReferenceIndex

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
