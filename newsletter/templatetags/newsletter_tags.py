from django import template
from django.urls import NoReverseMatch, reverse

from newsletter.rendering import richtext_to_text

register = template.Library()


@register.filter
def plain_richtext(value):
    """Rich text as plain text for the text part of an email."""

    return richtext_to_text(value)


@register.simple_tag
def newsletter_subscribe_url(fallback=""):
    """Where subscription forms post: the CSRF-free endpoint when mounted, else the archive page itself."""
    try:
        return reverse("newsletter:subscribe")
    except NoReverseMatch:
        return fallback
