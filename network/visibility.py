"""The one place that decides who sees which profile and which of its fields.

- Anonymous visitors: public profiles only, and on them the public fields only.
- Members (see `network.access.is_member`): public and members-only profiles, with every field.
- Hidden profiles, and profiles of members who did not consent or whose account is inactive, appear
  nowhere: not in the directory, a profile URL, the sitemap, the search or any export.
- Email addresses are never among the fields: the contact form relays messages.

Every view, template, sitemap and export of the directory goes through `visible_members` and
`profile_for`; none filters on `visibility` by itself.
"""

from dataclasses import dataclass

from network.access import is_member
from network.models import Member, Visibility

# Shown to whoever may see the profile at all.
PUBLIC_FIELDS = (
    "full_name",
    "role",
    "job_title",
    "organisation",
    "commune",
    "department",
    "programmes",
    "thematics",
    "tags",
    "bio",
    "photo",
)
# Shown to logged-in members only, even on a public profile.
MEMBERS_FIELDS = ("phone", "member_since")


def levels_for(viewer):
    if viewer is not None and is_member(viewer):
        return [Visibility.PUBLIC, Visibility.MEMBERS]
    return [Visibility.PUBLIC]


def visible_members(viewer):
    """The profiles `viewer` (a user, or None for anonymous visitors and machines) may see."""
    return Member.objects.listed().filter(visibility__in=levels_for(viewer))


def fields_for(viewer):
    if viewer is not None and is_member(viewer):
        return PUBLIC_FIELDS + MEMBERS_FIELDS
    return PUBLIC_FIELDS


@dataclass
class ProfileView:
    """What one viewer may see of one profile; templates read only this, never the model."""

    member: Member
    fields: tuple

    def __getattr__(self, name):
        if name in ("member", "fields"):
            raise AttributeError(name)
        if name not in self.fields:
            return None
        if name == "member_since":
            return self.member.created_at
        if name == "role":
            return self.member.get_role_display()
        if name in ("programmes", "thematics", "tags"):
            # Read once per view: a template testing then listing them does not query twice.
            value = self.__dict__[name] = list(getattr(self.member, name).all())
            return value
        return getattr(self.member, name)

    @property
    def slug(self):
        return self.member.slug

    @property
    def accepts_messages(self):
        return self.member.accepts_messages


def profile_for(viewer, slug):
    """The profile `viewer` may see under `slug`, or None (unknown, hidden or not allowed alike)."""
    member = (
        visible_members(viewer)
        .select_related("organisation", "commune", "department__region")
        .filter(slug=slug)
        .first()
    )
    return ProfileView(member, fields_for(viewer)) if member else None


def preview_for(member, as_member):
    """The owner's preview of their own profile as the public or as members see it (any visibility)."""
    return ProfileView(member, PUBLIC_FIELDS + MEMBERS_FIELDS if as_member else PUBLIC_FIELDS)
