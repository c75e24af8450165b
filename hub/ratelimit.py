"""Rate limits for public forms, on django-ratelimit's counters in the shared cache (Redis with REDIS_URL)."""

from django_ratelimit.core import is_ratelimited


def over_limit(request, group, rate, key="ip"):
    """Counts this request against `rate` ("5/m", "20/h"…) for `group`; True once the limit is passed.

    Only POSTs count: reading a form is free, submitting it is what gets abused.
    """
    return is_ratelimited(request, group=f"hub:{group}", key=key, rate=rate, method="POST", increment=True)
