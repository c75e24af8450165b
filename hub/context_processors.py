from django.conf import settings


def hub(request):
    """Values every site template needs: the brand switch, the absolute base URL, the maps' tile layer."""
    return {
        "HUB_STATE_BRAND": settings.HUB_STATE_BRAND,
        "SITE_BASE_URL": settings.SITE_BASE_URL,
        "HUB_MAP_TILES_URL": settings.HUB_MAP_TILES_URL,
        "HUB_MAP_TILES_ATTRIBUTION": settings.HUB_MAP_TILES_ATTRIBUTION,
    }
