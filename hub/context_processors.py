from django.conf import settings


def hub(request):
    """Values every site template needs: the brand switch and the absolute base URL."""
    return {
        "HUB_STATE_BRAND": settings.HUB_STATE_BRAND,
        "SITE_BASE_URL": settings.SITE_BASE_URL,
    }
