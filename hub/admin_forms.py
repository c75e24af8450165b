"""The admin form every page type of the site builds on."""

from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.models import Page

ABANDONED_SUFFIX = "brouillon"


def abandoned_draft(parent_page, slug, user, exclude=None):
    """A sibling holding `slug` that is only an abandoned new page of this user.

    Wagtail 8 autosaves a new page as soon as it has a title: the form creates a draft page. When the
    editor leaves without saving and starts again with the same title, that draft still holds the slug.
    Such a draft was never published, was created by the same user, and is in no moderation workflow.
    """
    if parent_page is None or not slug or user is None or not user.is_authenticated:
        return None
    siblings = parent_page.get_children().filter(slug=slug, live=False, first_published_at=None, owner=user)
    if exclude is not None and exclude.pk:
        siblings = siblings.exclude(pk=exclude.pk)
    draft = siblings.first()
    if draft is None or draft.numchild:
        return None
    in_moderation = draft.workflow_in_progress
    return None if in_moderation else draft


def free_slug(draft, parent_page):
    """Gives an abandoned draft a slug of its own (« <slug>-brouillon-<id> ») so a new page can take its slug."""

    new_slug = f"{draft.slug[: 255 - 20]}-{ABANDONED_SUFFIX}-{draft.pk}"
    Page.objects.filter(pk=draft.pk).update(slug=new_slug, url_path=f"{parent_page.url_path}{new_slug}/")
    return new_slug


class HubPageForm(WagtailAdminPageForm):
    """Wagtail's page form, where an abandoned autosaved draft never blocks creating a page with its slug."""

    def clean(self):
        slug = self.cleaned_data.get("slug")
        if not self.instance.pk and slug:
            draft = abandoned_draft(self.parent_page, slug, getattr(self, "for_user", None), exclude=self.instance)
            if draft is not None:
                free_slug(draft, self.parent_page)
        return super().clean()
