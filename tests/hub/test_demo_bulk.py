"""The bulk demo loader: slugs numbered in memory as one save at a time would number them."""

from django.contrib.auth import get_user_model

from hub.demo import build_taxonomy
from network.demo import build_members
from network.models import RESERVED_SLUGS, Member, unique_slug, unique_slugs


def _member(slug, number):
    user = get_user_model().objects.create(username=f"user{number}@example.org")
    return Member.objects.create(user=user, slug=slug, first_name="Anne", last_name="Martin", role="elu")


def test_unique_slug_takes_the_first_free_number_in_one_query(db, django_assert_num_queries):
    for number, slug in enumerate(["anne-martin", "anne-martin-2", "anne-martin-4", "anne-martin-marie"]):
        _member(slug, number)
    with django_assert_num_queries(1):
        assert unique_slug(Member, "Anne Martin") == "anne-martin-3"
    assert unique_slug(Member, "Paul Roux") == "paul-roux"
    assert unique_slug(Member, "Search", reserved=RESERVED_SLUGS) == "search-2"


def test_unique_slugs_numbers_namesakes_in_order_without_reusing_taken_ones(db):
    _member("anne-martin", 1)
    _member("anne-martin-3", 2)
    slugs = unique_slugs(Member, ["Anne Martin", "Paul Roux", "Anne Martin", "Anne Martin", "Paul Roux", ""])
    assert slugs == ["anne-martin-2", "paul-roux", "anne-martin-4", "anne-martin-5", "paul-roux-2", "profil"]


def test_bulk_members_are_complete_listed_searchable_and_idempotent(abbeville, core_site):
    build_taxonomy()
    assert build_members(130, 2018) == 130
    assert build_members(130, 2018) == 0  # a second run adds nobody
    members = Member.objects.all()
    assert members.count() == 130
    assert len(set(members.values_list("slug", flat=True))) == 130
    first = members.get(user__username__endswith=".1@reseau.example")  # the 121st member is a namesake
    namesakes = sorted(
        members.filter(first_name=first.first_name, last_name=first.last_name).values_list("slug", flat=True)
    )
    assert namesakes == [first.slug, f"{first.slug}-2"]
    member = members.select_related("commune").first()
    assert member.department_id == member.commune.department_id
    assert member.thematics.exists() and member.programmes.exists() and member.tags.count() == 2
    assert members.filter(consent_to_appear=True, consent_at=None).count() == 0
    assert members.filter(consent_to_appear=False).count() == 10  # one in thirteen
    assert Member.objects.search(member.last_name).count() > 0
