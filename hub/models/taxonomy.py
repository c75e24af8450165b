"""Programmes (ACV, PVD, CVV…) and thematics: translatable snippets shared by every app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import TranslatableMixin
from wagtail.snippets.models import register_snippet


class TaxonomyTerm(TranslatableMixin, models.Model):
    name = models.CharField(_("nom"), max_length=150)
    short_name = models.CharField(_("nom court"), max_length=30, blank=True)
    slug = models.SlugField(
        _("identifiant"),
        max_length=80,
        help_text=_("Utilisé dans les adresses de filtre ; identique dans toutes les langues."),
    )
    colour = models.CharField(
        _("couleur DSFR"),
        max_length=40,
        blank=True,
        default="blue-france",
        help_text=_("Nom d'une couleur illustrative du DSFR, par exemple « green-emeraude »."),
    )
    pictogram = models.CharField(
        _("icône"),
        max_length=60,
        blank=True,
        help_text=_("Classe d'icône DSFR, par exemple « fr-icon-store-line »."),
    )
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    panels = [
        FieldPanel("name"),
        FieldPanel("short_name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("colour"),
        FieldPanel("pictogram"),
        FieldPanel("sort_order"),
    ]

    class Meta(TranslatableMixin.Meta):
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    @property
    def label(self):
        return self.short_name or self.name


@register_snippet
class Programme(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.UniqueConstraint(fields=["slug", "locale"], name="hub_programme_unique_slug_locale"),
        ]


@register_snippet
class Thematic(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("thématique")
        verbose_name_plural = _("thématiques")
        constraints = [
            models.UniqueConstraint(fields=["slug", "locale"], name="hub_thematic_unique_slug_locale"),
        ]
