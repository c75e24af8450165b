"""Request and response plumbing every view shares.

- `ForwardedForMiddleware`: behind the TLS proxy, the client's address becomes REMOTE_ADDR, so rate
  limits, the contact relay's counters and the login lockout count visitors, not the proxy.
- `SecurityHeadersMiddleware`: a strict Content-Security-Policy and related headers (Django 5.2 has
  no CSP of its own); Wagtail's preview responses may be framed by the admin, nothing else may.
- `PrivateCacheMiddleware`: pages rendered for a logged-in visitor are never stored by shared caches.
"""

import ipaddress
import re
import secrets

from django.conf import settings
from django.utils.cache import patch_cache_control

PUBLIC_POLICY = (
    "default-src 'self'; "
    "script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:{media}{tiles}; "
    "font-src 'self' data:; "
    "connect-src 'self'; "
    "frame-src https://www.youtube-nocookie.com https://www.youtube.com https://player.vimeo.com https://www.dailymotion.com; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors {ancestors}"
)
# The Wagtail admin relies on inline scripts; it keeps the other restrictions.
ADMIN_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob: https:; font-src 'self' data:; connect-src 'self'; frame-src 'self' https:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'self'"
)


def tiles_origin(url_template):
    """The origin a tile URL template loads from, as a CSP source: `https://{s}.tile.example/{z}/…` gives
    `https://*.tile.example` (Leaflet's subdomain placeholder becomes the host wildcard)."""
    scheme, _, rest = url_template.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0]
    host = re.sub(r"^\{s\}\.", "*.", host)
    return f"{scheme}://{host}"


def _networks(entries):
    """The trusted proxies as networks; what is not an address or a network is left out (hub.E002)."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            continue
    return networks


def _address(value):
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:5123"
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def client_ip(request):
    """The visitor's address as every counter sees it (django-axes' AXES_CLIENT_IP_CALLABLE)."""
    return request.META.get("REMOTE_ADDR") or None


class ForwardedForMiddleware:
    """Sets REMOTE_ADDR to the client's address when the request comes through a trusted proxy.

    HUB_TRUSTED_PROXIES lists the proxies' addresses or networks; the forwarded header
    (HUB_FORWARDED_FOR_HEADER) is read from the right: the first address
    that is not a trusted proxy is the client. From anyone else the header is ignored, so a visitor
    cannot choose the address their requests are counted under. The proxy's own address stays in
    META["HUB_PROXY_ADDR"].
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = _networks(settings.HUB_TRUSTED_PROXIES)
        self.meta_key = "HTTP_" + settings.HUB_FORWARDED_FOR_HEADER.upper().replace("-", "_")

    def _is_trusted(self, address):
        return address is not None and any(address in network for network in self.trusted)

    def __call__(self, request):
        if self.trusted:
            self.resolve(request)
        return self.get_response(request)

    def resolve(self, request):
        peer = _address(request.META.get("REMOTE_ADDR", ""))
        if not self._is_trusted(peer):
            return
        forwarded = request.META.get(self.meta_key, "")
        hops = [_address(part) for part in forwarded.split(",") if part.strip()]
        client = None
        for hop in reversed(hops):
            if hop is None:  # garbage in the chain: stop at the last address we could trust
                break
            client = hop
            if not self._is_trusted(hop):
                break
        if client is not None:
            request.META["HUB_PROXY_ADDR"] = request.META.get("REMOTE_ADDR", "")
            request.META["REMOTE_ADDR"] = str(client)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        media_url = settings.MEDIA_URL
        self.media_origin = f" {media_url}" if media_url.startswith("http") else ""
        self.tiles_origin = f" {tiles_origin(settings.HUB_MAP_TILES_URL)}" if settings.HUB_MAP_TILES_URL else ""

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        # Wagtail renders a preview through the whole middleware chain with a request for the page's
        # public URL, flagged is_preview: the admin's preview panel frames that response.
        preview = getattr(request, "is_preview", False)
        if "Content-Security-Policy" not in response:
            if request.path.startswith(("/admin/", "/django-admin/")):
                policy = ADMIN_POLICY
            else:
                ancestors = "'self'" if preview else "'none'"
                policy = PUBLIC_POLICY.format(
                    nonce=request.csp_nonce, media=self.media_origin, tiles=self.tiles_origin, ancestors=ancestors
                )
            response["Content-Security-Policy"] = policy
        if preview:
            response["X-Frame-Options"] = "SAMEORIGIN"
        response.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=(), payment=()")
        return response


class PrivateCacheMiddleware:
    """`Cache-Control: private` on what a logged-in visitor gets (their name, their links, their data),
    so no proxy or CDN hands it to someone else. Anonymous responses keep their own caching headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True)  # drops a "public" the view may have set
        return response
