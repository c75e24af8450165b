"""The observatory's imported indicators and their values per territory and year.

Indicators computed from the site's own content (projects, events, members, population) are not stored:
the apps declare them through the `hub_territory_indicators` hook (see hub.observatory). The ones stored
here come from files (`manage.py import_indicators`): a vacancy rate, a footfall index…
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel

from .territories import EPCI, Commune, Department, Region

OPEN_LICENCE = "Licence Ouverte 2.0"


class Indicator(models.Model):
    """An indicator whose values are imported, with what a reader needs to trust them."""

    slug = models.SlugField(
        _("identifiant"),
        max_length=60,
        unique=True,
        help_text=_("Utilisé dans les fichiers importés (colonne « indicateur ») et dans les adresses."),
    )
    name = models.CharField(_("nom"), max_length=150)
    name_en = models.CharField(_("nom (anglais)"), max_length=150, blank=True)
    unit = models.CharField(
        _("unité"), max_length=40, blank=True, help_text=_("Écrite après chaque valeur, par exemple « % ».")
    )
    unit_en = models.CharField(_("unité (anglais)"), max_length=40, blank=True)
    definition = models.TextField(_("définition"), blank=True)
    definition_en = models.TextField(_("définition (anglais)"), blank=True)
    source = models.CharField(_("source"), max_length=200)
    source_url = models.URLField(_("adresse de la source"), blank=True)
    licence = models.CharField(_("licence"), max_length=100, default=OPEN_LICENCE)
    higher_is_better = models.BooleanField(
        _("une valeur plus haute est meilleure"),
        default=True,
        help_text=_("Décochez pour un taux de vacance, par exemple : la comparaison à la médiane en tient compte."),
    )
    illustrative = models.BooleanField(
        _("valeurs illustratives"),
        default=False,
        help_text=_("Valeurs fictives (démonstration) : chaque page qui les montre le dit."),
    )
    decimals = models.PositiveSmallIntegerField(_("décimales affichées"), default=1)
    sort_order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
        FieldPanel("slug"),
        FieldRowPanel([FieldPanel("unit"), FieldPanel("unit_en"), FieldPanel("decimals")]),
        FieldPanel("definition"),
        FieldPanel("definition_en"),
        MultiFieldPanel([FieldPanel("source"), FieldPanel("source_url"), FieldPanel("licence")], heading=_("Source")),
        FieldRowPanel([FieldPanel("higher_is_better"), FieldPanel("illustrative")]),
        FieldPanel("sort_order"),
    ]

    # The interface it shares with the apps' indicators (hub.observatory.ComputedIndicator).
    computed = False
    cumulative = False
    per_year = True
    zero_when_missing = False  # a territory without a value has none (it is not 0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")

    def __str__(self):
        return self.name

    def clean(self):
        from hub.observatory import computed_indicators  # noqa: PLC0415 (hub.observatory imports the models)

        if self.slug in {indicator.slug for indicator in computed_indicators()}:
            raise ValidationError(
                {"slug": _("Cet identifiant est celui d'un indicateur calculé par le site : choisissez-en un autre.")}
            )

    def _in_language(self, field):
        if (get_language() or "").startswith("en") and getattr(self, f"{field}_en"):
            return getattr(self, f"{field}_en")
        return getattr(self, field)

    @property
    def label(self):
        return self._in_language("name")

    @property
    def unit_label(self):
        return self._in_language("unit")

    @property
    def definition_text(self):
        return self._in_language("definition")

    @property
    def order(self):
        return 100 + self.sort_order

    def values_for(self, kind, pks):
        """`{territory pk: {year: value}}` for the territories of `kind` (hub.territory_pages.KINDS) whose primary
        key is in `pks` (None: all of them): one query."""
        field_name = IndicatorValue.TERRITORY_FIELDS[kind]
        rows = IndicatorValue.objects.filter(indicator=self)
        if pks is None:
            rows = rows.filter(**{f"{field_name}__isnull": False})
        else:
            rows = rows.filter(**{f"{field_name}__in": pks})
        found = {}
        for pk, year, value in rows.values_list(f"{field_name}_id", "year", "value"):
            found.setdefault(pk, {})[year] = value
        return found


class IndicatorValue(models.Model):
    """One value of an indicator for one territory (exactly one of commune, EPCI, département, région) and year."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="values", verbose_name=_("indicateur")
    )
    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("commune")
    )
    epci = models.ForeignKey(
        EPCI, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("EPCI / EPT")
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("département")
    )
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("région")
    )
    year = models.PositiveSmallIntegerField(_("année"))
    value = models.DecimalField(_("valeur"), max_digits=18, decimal_places=4)

    # The territory field of each kind of territory (hub.observatory names the kinds the same way).
    TERRITORY_FIELDS = {"commune": "commune", "epci": "epci", "departement": "department", "region": "region"}

    class Meta:
        # No default ordering: ordering by the indicator would join it (and its own ordering) to every read.
        verbose_name = _("valeur d'indicateur")
        verbose_name_plural = _("valeurs d'indicateurs")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(commune__isnull=False, epci__isnull=True, department__isnull=True, region__isnull=True)
                    | Q(commune__isnull=True, epci__isnull=False, department__isnull=True, region__isnull=True)
                    | Q(commune__isnull=True, epci__isnull=True, department__isnull=False, region__isnull=True)
                    | Q(commune__isnull=True, epci__isnull=True, department__isnull=True, region__isnull=False)
                ),
                name="hub_indicatorvalue_one_territory",
            ),
            *(
                models.UniqueConstraint(
                    fields=["indicator", field, "year"],
                    condition=Q(**{f"{field}__isnull": False}),
                    name=f"hub_indicatorvalue_unique_{field}_year",
                )
                for field in ("commune", "epci", "department", "region")
            ),
        ]
        indexes = [models.Index(fields=["indicator", "year"], name="hub_indicatorvalue_ind_year")]

    def __str__(self):
        return f"{self.indicator_id} {self.territory} {self.year}: {self.value}"

    @property
    def territory(self):
        return self.commune or self.epci or self.department or self.region
