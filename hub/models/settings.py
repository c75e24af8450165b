"""Operator identity shown in the header and footer (used when the State brand is off)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


@register_setting(icon="site")
class OperatorSettings(BaseSiteSetting):
    operator_name = models.CharField(
        _("nom de l'opérateur"),
        max_length=150,
        default="Réseau des centralités",
        help_text=_("Affiché à la place du bloc « République française » quand la marque de l'État est désactivée."),
    )
    operator_logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("logo de l'opérateur"),
    )
    site_title = models.CharField(_("titre du site"), max_length=100, default="Centralités")
    tagline = models.CharField(
        _("sous-titre"),
        max_length=200,
        blank=True,
        default="Revitaliser les centres-villes, ensemble",
    )
    tagline_en = models.CharField(
        _("sous-titre (anglais)"),
        max_length=200,
        blank=True,
        default="Reviving town centres, together",
    )
    contact_email = models.EmailField(_("adresse de contact"), blank=True)
    footer_text = models.TextField(_("texte du pied de page"), blank=True)
    footer_text_en = models.TextField(_("texte du pied de page (anglais)"), blank=True)
    legal_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("page des mentions légales"),
    )
    accessibility_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("page de la déclaration d'accessibilité"),
    )
    accessibility_status = models.CharField(
        _("conformité RGAA"),
        max_length=10,
        default="partial",
        choices=[
            ("full", _("totalement conforme")),
            ("partial", _("partiellement conforme")),
            ("none", _("non conforme")),
        ],
    )
    privacy_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("page des données personnelles"),
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("operator_name"), FieldPanel("operator_logo"), FieldPanel("site_title")],
            heading=_("Identité"),
        ),
        MultiFieldPanel(
            [FieldPanel("tagline"), FieldPanel("tagline_en"), FieldPanel("footer_text"), FieldPanel("footer_text_en")],
            heading=_("Textes"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("legal_page"),
                FieldPanel("accessibility_page"),
                FieldPanel("accessibility_status"),
                FieldPanel("privacy_page"),
            ],
            heading=_("Pages obligatoires"),
        ),
        FieldPanel("contact_email"),
    ]

    class Meta:
        verbose_name = _("identité du site")
