"""French territories (Etalab's découpage administratif): régions, départements, EPCI/EPT, communes."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelsearch import index

POPULATION_BANDS = [
    ("lt3500", _("moins de 3 500 habitants"), 0, 3500),
    ("3500-20000", _("de 3 500 à 20 000 habitants"), 3500, 20000),
    ("20000-50000", _("de 20 000 à 50 000 habitants"), 20000, 50000),
    ("gt50000", _("plus de 50 000 habitants"), 50000, None),
]
POPULATION_BAND_CHOICES = [(key, label) for key, label, _low, _high in POPULATION_BANDS]


def population_band(population):
    """The population band key (`lt3500`, `3500-20000`, `20000-50000`, `gt50000`) of a population."""
    if population is None:
        return ""
    for key, _label, low, high in POPULATION_BANDS:
        if population >= low and (high is None or population < high):
            return key
    return ""


class Region(models.Model):
    code = models.CharField(_("code INSEE"), max_length=3, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("région")
        verbose_name_plural = _("régions")

    def __str__(self):
        return self.name


class Department(models.Model):
    code = models.CharField(_("code INSEE"), max_length=3, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments", verbose_name=_("région"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("département")
        verbose_name_plural = _("départements")

    def __str__(self):
        return f"{self.name} ({self.code})"


class EPCI(models.Model):
    """An EPCI à fiscalité propre (CC, CA, CU, métropole) or an EPT of the Métropole du Grand Paris."""

    class Kind(models.TextChoices):
        CC = "CC", _("communauté de communes")
        CA = "CA", _("communauté d'agglomération")
        CU = "CU", _("communauté urbaine")
        METRO = "METRO", _("métropole")
        MET69 = "MET69", _("métropole de Lyon")
        EPT = "EPT", _("établissement public territorial")

    siren = models.CharField(_("SIREN"), max_length=9, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=5, choices=Kind.choices)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("EPCI / EPT")
        verbose_name_plural = _("EPCI / EPT")

    def __str__(self):
        return self.name


class Commune(index.Indexed, models.Model):
    class Kind(models.TextChoices):
        CURRENT = "commune-actuelle", _("commune")
        DELEGATED = "commune-deleguee", _("commune déléguée")
        ASSOCIATED = "commune-associee", _("commune associée")
        MUNICIPAL_DISTRICT = "arrondissement-municipal", _("arrondissement municipal")

    insee_code = models.CharField(_("code INSEE"), max_length=5)
    kind = models.CharField(_("type"), max_length=24, choices=Kind.choices, default=Kind.CURRENT)
    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    postcodes = models.CharField(_("codes postaux"), max_length=300, blank=True)
    # Collectivités d'outre-mer have no département nor région.
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="communes",
        verbose_name=_("département"),
    )
    epci = models.ForeignKey(
        EPCI,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="communes",
        verbose_name=_("EPCI"),
    )
    ept = models.ForeignKey(
        EPCI,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ept_communes",
        verbose_name=_("EPT"),
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    programmes = models.ManyToManyField(
        "hub.Programme",
        blank=True,
        related_name="communes",
        verbose_name=_("programmes"),
    )

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.FilterField("insee_code"),
        index.FilterField("kind"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        constraints = [
            models.UniqueConstraint(fields=["insee_code", "kind"], name="hub_commune_unique_code_kind"),
        ]
        indexes = [models.Index(fields=["insee_code"])]

    def __str__(self):
        if self.department_id:
            return f"{self.name} ({self.department_id and self.department.code})"
        return self.name

    @property
    def region(self):
        return self.department.region if self.department_id else None
