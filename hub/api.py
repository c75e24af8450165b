"""Wagtail's read API: published, public pages only (private and draft pages never leave).

Images and documents are listed only when a live, public page uses them (Wagtail's reference index
says which): a member's proposal awaiting moderation keeps its photos to itself. Every `?search=` goes
through hub.search.clean_query, like every other search box of the site.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField
from django.db.models.functions import Cast
from wagtail.api.v2.filters import SearchFilter
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.models import Page, ReferenceIndex
from wagtail.search.backends.base import FilterFieldError, OrderByFieldError

from hub.search import clean_query, search_results

SEARCH_OPERATORS = ("and", "or")


class CleanSearchFilter(SearchFilter):
    """Wagtail's `?search=` filter with the query cleaned first (quotes, NUL bytes, hundreds of words…)."""

    def filter_queryset(self, request, queryset, view):
        if "search" not in request.GET:
            return queryset
        if not settings.WAGTAILAPI_SEARCH_ENABLED:
            raise BadRequestError("search is disabled")
        if getattr(queryset, "_filtered_by_tag", False):
            raise BadRequestError("filtering by tag with a search query is not supported")
        operator = request.GET.get("search_operator") or None
        if operator is not None and operator not in SEARCH_OPERATORS:
            raise BadRequestError("search_operator must be 'and' or 'or'")
        terms = clean_query(request.GET["search"])
        if not terms:
            return queryset.none()
        language = None
        locale_code = request.GET.get("locale")
        if locale_code in ("fr", "en"):
            language = locale_code
        try:
            return search_results(
                queryset, terms, language=language, operator=operator, order_by_relevance="order" not in request.GET
            )
        except FilterFieldError as error:
            raise BadRequestError(
                f"cannot filter by '{error.field_name}' while searching (field is not indexed)"
            ) from error
        except OrderByFieldError as error:
            raise BadRequestError(
                f"cannot order by '{error.field_name}' while searching (field is not indexed)"
            ) from error


def _with_clean_search(backends):
    return [CleanSearchFilter if backend is SearchFilter else backend for backend in backends]


class PublicPagesAPIViewSet(PagesAPIViewSet):
    filter_backends = _with_clean_search(PagesAPIViewSet.filter_backends)

    def get_base_queryset(self):
        # Wagtail's own queryset is live(); .public() also drops pages behind a view restriction.
        return super().get_base_queryset().public()


def used_by_public_pages(model):
    """The ids (as text) of `model`'s objects referenced by a live page with no view restriction."""
    public_pages = Page.objects.live().public().annotate(pk_text=Cast("pk", CharField())).values("pk_text")
    return ReferenceIndex.objects.filter(
        base_content_type=ContentType.objects.get_for_model(Page),
        to_content_type=ContentType.objects.get_for_model(model),
        object_id__in=public_pages,
    ).values("to_object_id")


class UsedOnlyMixin:
    """Lists and serves an object only when a live, public page uses it."""

    def get_queryset(self):
        queryset = super().get_queryset()
        used = used_by_public_pages(self.model)
        return queryset.annotate(pk_text=Cast("pk", CharField())).filter(pk_text__in=used)


class PublicImagesAPIViewSet(UsedOnlyMixin, ImagesAPIViewSet):
    filter_backends = _with_clean_search(ImagesAPIViewSet.filter_backends)


class PublicDocumentsAPIViewSet(UsedOnlyMixin, DocumentsAPIViewSet):
    filter_backends = _with_clean_search(DocumentsAPIViewSet.filter_backends)


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PublicPagesAPIViewSet)
api_router.register_endpoint("images", PublicImagesAPIViewSet)
api_router.register_endpoint("documents", PublicDocumentsAPIViewSet)
