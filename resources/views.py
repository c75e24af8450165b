"""Views behind the Projétothèque's and the resource library's routes (see the index pages)."""

from collections import defaultdict

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.contrib.syndication.views import Feed
from django.db.models import Count, Prefetch
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.models import Locale

from hub.cache import cached_response
from hub.exports import csv_response, json_response
from hub.facets import in_ids, listing_response
from hub.models import Programme, Thematic
from resources.listing import LOCATED, project_listing, resource_listing
from resources.models import ProjectPage
from resources.proposals import handle_proposal

EXPORT_CHUNK = 2000
EXPORT_COLUMNS = [
    "code_insee",
    "commune",
    "departement",
    "region",
    "titre",
    "programmes",
    "thematiques",
    "statut",
    "annee_debut",
    "annee_fin",
    "cout_total_eur",
    "url",
]


def _prepare_projects(queryset):
    return queryset.select_related("commune__department__region").prefetch_related(
        Prefetch("programmes", queryset=Programme.objects.order_by("sort_order")),
        Prefetch("thematics", queryset=Thematic.objects.order_by("sort_order")),
    )


def project_listing_view(request, index_page):
    return listing_response(
        request,
        index_page,
        lambda: project_listing(request, index_page),
        prepare=_prepare_projects,
        extra_context=lambda listing: {
            "has_map": listing.has("located"),
            "map_url": map_url(request, index_page),
        },
    )


def map_url(request, index_page):
    """carte.json under the listing, in the visitor's language, in the canonical form of file-like routes:
    without the trailing slash a reversed sub-route has (hub.urls serves both)."""
    return index_page.get_url(request) + index_page.reverse_subpage("map_json").rstrip("/")


def project_map_json(request, index_page):
    """The map's points for the listing's current selection (same parameters), fetched by the map script.

    Kept out of the listing's HTML, whose size then does not grow with the number of communes; cached
    for anonymous visitors like the listing."""

    built = {}

    def render():
        listing = built["listing"] = project_listing(request, index_page)
        response = JsonResponse({"points": map_points(listing.filtered_queryset())})
        response["X-Robots-Tag"] = "noindex"
        return response

    return cached_response(request, render, params=lambda: built["listing"].known_params())


def map_points(queryset):
    """One point per commune with coordinates, with its number of projects in the current selection."""
    rows = (
        queryset.filter(LOCATED)
        .values("commune__insee_code", "commune__name", "commune__latitude", "commune__longitude")
        .annotate(n=Count("pk"))  # one row per project: the listing's conditions never multiply rows
        .order_by("commune__name")
    )
    return [
        {
            "insee": r["commune__insee_code"],
            "name": r["commune__name"],
            "lat": r["commune__latitude"],
            "lon": r["commune__longitude"],
            "count": r["n"],
        }
        for r in rows
    ]


def _chunks(rows, size):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _export_records(request, index_page):
    """The filtered set as flat records, read in chunks with a fixed number of queries per chunk."""

    listing = project_listing(request, index_page)
    source = index_page.source_index()
    base_urls = {}  # locale id -> the index's URL in that language (English rows link to English pages)

    def base_url(locale_id):
        if locale_id not in base_urls:
            index = (
                source
                if source.locale_id == locale_id
                else source.get_translation_or_none(Locale.objects.get(pk=locale_id))
            )
            base_urls[locale_id] = settings.SITE_BASE_URL + (index or source).url
        return base_urls[locale_id]

    # One ordered query read with a server-side cursor in chunks (PostgreSQL); each chunk's programmes
    # and thematics in one query apiece, the chunk's ids bound as one array parameter.
    records = listing.results().values(
        "pk",
        "title",
        "slug",
        "locale_id",
        "status",
        "start_year",
        "end_year",
        "total_cost",
        "commune__insee_code",
        "commune__name",
        "commune__department__code",
        "commune__department__region__name",
    )

    for chunk in _chunks(records.iterator(chunk_size=EXPORT_CHUNK), EXPORT_CHUNK):
        ids = [row["pk"] for row in chunk]
        programmes = defaultdict(list)
        links = ProjectPage.programmes.through.objects.order_by("programme__sort_order")
        for page_id, label in in_ids(links, ids, "projectpage_id").values_list(
            "projectpage_id", "programme__short_name"
        ):
            programmes[page_id].append(label)
        thematics = defaultdict(list)
        links = ProjectPage.thematics.through.objects.order_by("thematic__sort_order")
        for page_id, slug in in_ids(links, ids, "projectpage_id").values_list("projectpage_id", "thematic__slug"):
            thematics[page_id].append(slug)
        for row in chunk:
            yield {
                "code_insee": row["commune__insee_code"],
                "commune": row["commune__name"],
                "departement": row["commune__department__code"],
                "region": row["commune__department__region__name"],
                "titre": row["title"],
                "programmes": programmes[row["pk"]],
                "thematiques": thematics[row["pk"]],
                "statut": row["status"],
                "annee_debut": row["start_year"],
                "annee_fin": row["end_year"],
                "cout_total_eur": row["total_cost"],
                "url": f"{base_url(row['locale_id'])}{row['slug']}/",
            }


def project_export_csv(request, index_page):
    def rows():
        for record in _export_records(request, index_page):
            yield [
                "|".join(value) if isinstance(value, list) else ("" if value is None else value)
                for value in (record[column] for column in EXPORT_COLUMNS)
            ]

    return csv_response(EXPORT_COLUMNS, rows(), "projetotheque.csv")


def project_export_json(request, index_page):
    return json_response(_export_records(request, index_page), "projetotheque.json")


class ProjectFeed(Feed):
    def __init__(self, index_page, listing):
        super().__init__()
        self.index_page = index_page
        self.listing = listing

    def title(self):
        return _("Projétothèque — nouveaux projets")

    def link(self):
        return self.index_page.url

    def description(self):
        return _("Les dernières fiches projet publiées dans la Projétothèque.")

    def items(self):
        return self.listing.filtered_queryset().select_related("commune").order_by("-first_published_at")[:30]

    def item_title(self, item):
        return f"{item.title} ({item.commune.name})" if item.commune_id else item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        return item.first_published_at


def project_feed(request, index_page):
    return ProjectFeed(index_page, project_listing(request, index_page))(request)


def resource_listing_view(request, index_page):
    return listing_response(
        request,
        index_page,
        lambda: resource_listing(request, index_page),
        prepare=lambda queryset: queryset.prefetch_related("thematics", "programmes"),
    )


def propose_project(request, index_page):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    result = handle_proposal(request, index_page)
    if result is None:
        return redirect(f"{index_page.url}proposer/?envoye=1")
    return TemplateResponse(request, "pages/project_proposal.html", {"page": index_page, "self": index_page, **result})
