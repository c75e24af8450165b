"""The Projétothèque (fiches projet) and the resource library."""

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    MultiFieldPanel,
    ObjectList,
    PageChooserPanel,
    TabbedInterface,
)
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import path, re_path
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from hub import cache as hub_cache
from hub.admin_panels import LabelledInlinePanel, LabelledMultipleChooserPanel
from hub.blocks import BaseStreamBlock
from hub.i18n import localized_list
from hub.models import Commune
from hub.models.index import IndexPage
from hub.models.localised import LocalisedTaxonomyMixin, LocalisedTaxonomyPageForm
from resources.blocks import ProjectBodyBlock
from resources.fields import CodeSetField

YEAR_VALIDATORS = [MinValueValidator(1990), MaxValueValidator(2100)]


class ProjectStatus(models.TextChoices):
    ONGOING = "en-cours", _("en cours")
    DONE = "realise", _("réalisé")


class ProjectTag(TaggedItemBase):
    content_object = ParentalKey("resources.ProjectPage", on_delete=models.CASCADE, related_name="tagged_items")


def synchronised(*names):
    """Fields copied from the source page and not offered in the translation editor (not text)."""
    return [SynchronizedField(name, overridable=False) for name in names]


class TranslatablePageChild(TranslatableMixin):
    """An inline item of a page whose texts are translated with the page (wagtail-localize).

    Its locale is always its page's: an item added in the admin to the English page is English.
    """

    class Meta(TranslatableMixin.Meta):
        abstract = True

    def save(self, *args, **kwargs):
        if self.page_id and (self.locale_id is None or self.locale_id != self.page.locale_id):
            self.locale_id = self.page.locale_id
        return super().save(*args, **kwargs)


class ProjectPage(LocalisedTaxonomyMixin, Page):
    template = "pages/project_page.html"
    parent_page_types = ["resources.ProjectIndexPage"]
    subpage_types = []
    base_form_class = LocalisedTaxonomyPageForm

    commune = models.ForeignKey(
        "hub.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=False,
        related_name="projects",
        verbose_name=_("commune"),
        help_text=_("La commune où le projet a lieu."),
    )
    programmes = ParentalManyToManyField(
        "hub.Programme", blank=True, related_name="projects", verbose_name=_("programmes")
    )
    thematics = ParentalManyToManyField(
        "hub.Thematic", blank=True, related_name="projects", verbose_name=_("thématiques")
    )
    tags = ClusterTaggableManager(through=ProjectTag, blank=True, verbose_name=_("mots-clés"))
    status = models.CharField(_("état"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.ONGOING)
    start_year = models.PositiveSmallIntegerField(
        _("année de début"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    end_year = models.PositiveSmallIntegerField(_("année de fin"), null=True, blank=True, validators=YEAR_VALIDATORS)
    total_cost = models.DecimalField(
        _("coût total (€ HT)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    summary = models.TextField(
        _("résumé"), max_length=600, help_text=_("Deux ou trois phrases, reprises dans les listes et les partages.")
    )
    body = StreamField(ProjectBodyBlock(), blank=True, verbose_name=_("contenu de la fiche"))
    contact_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("contact membre du réseau"),
    )
    contact_name = models.CharField(_("nom du contact"), max_length=150, blank=True)
    contact_role = models.CharField(_("fonction du contact"), max_length=150, blank=True)
    contact_organisation = models.CharField(_("structure du contact"), max_length=200, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("proposé par"),
        editable=False,
    )
    proposed_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    proposer_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    # What an English reader sees is translated (title, summary, body, captions, funders, partners'
    # roles, documents' titles); the facts (commune, figures, years, amounts, people) are synchronised.
    override_translatable_fields = synchronised(
        "commune",
        "status",
        "start_year",
        "end_year",
        "total_cost",
        "contact_user",
        "contact_name",
        "extra_commune_links",
        "related_links",
        "programmes",
        "thematics",
        "tags",
    ) + [TranslatableField("contact_role"), TranslatableField("contact_organisation")]

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("contact_organisation"),
        index.RelatedFields("commune", [index.SearchField("name")]),
        index.RelatedFields("tags", [index.SearchField("name")]),
        index.RelatedFields("thematics", [index.SearchField("name")]),
        index.FilterField("status"),
        index.FilterField("start_year"),
    ]
    api_fields = [
        APIField("summary"),
        APIField("status"),
        APIField("start_year"),
        APIField("end_year"),
        APIField("total_cost"),
        APIField("body"),
    ]

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    territory_panels = [
        FieldPanel("commune"),
        LabelledMultipleChooserPanel(
            "extra_commune_links",
            chooser_field_name="commune",
            label=_("Autre commune"),
            add_label=_("Ajouter une commune"),
            heading=_("Autres communes (projet intercommunal ou sur plusieurs communes)"),
        ),
        FieldPanel("programmes", widget=forms.CheckboxSelectMultiple),
        FieldPanel("thematics", widget=forms.CheckboxSelectMultiple),
        FieldPanel("tags"),
    ]
    project_panels = [
        FieldRowPanel(
            [FieldPanel("status"), FieldPanel("start_year"), FieldPanel("end_year")], heading=_("Calendrier")
        ),
        FieldPanel("total_cost"),
        LabelledInlinePanel(
            "funding_lines",
            label=_("Financement"),
            add_label=_("Ajouter un financement"),
            heading=_("Plan de financement"),
        ),
        LabelledInlinePanel(
            "partners", label=_("Partenaire"), add_label=_("Ajouter un partenaire"), heading=_("Partenaires")
        ),
        MultiFieldPanel(
            [
                FieldPanel("contact_user"),
                FieldPanel("contact_name"),
                FieldPanel("contact_role"),
                FieldPanel("contact_organisation"),
            ],
            heading=_("Contact"),
        ),
    ]
    media_panels = [
        LabelledInlinePanel("gallery_images", label=_("Image"), add_label=_("Ajouter une image"), heading=_("Galerie")),
        LabelledInlinePanel(
            "documents", label=_("Document"), add_label=_("Ajouter un document"), heading=_("Documents joints")
        ),
        LabelledInlinePanel(
            "related_links",
            label=_("Projet lié"),
            add_label=_("Ajouter un projet lié"),
            heading=_("Projets liés (sinon calculés)"),
        ),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Fiche")),
            ObjectList(territory_panels, heading=_("Territoire et thèmes")),
            ObjectList(project_panels, heading=_("Projet")),
            ObjectList(media_panels, heading=_("Médias et liens")),
            ObjectList(Page.promote_panels, heading=_("Référencement")),
            ObjectList(Page.settings_panels, heading=_("Paramètres")),
        ]
    )

    class Meta:
        verbose_name = _("fiche projet")
        verbose_name_plural = _("fiches projet")

    def clean(self):
        super().clean()
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("L'année de fin précède l'année de début.")})

    def get_context(self, request, *args, **kwargs):
        """The fiche's parts in one query each, whatever their number (the template reads them with `.all`)."""
        context = super().get_context(request, *args, **kwargs)
        prefetch_related_objects(
            [self],
            Prefetch("commune", queryset=Commune.objects.select_related("department__region")),
            "extra_commune_links__commune",
            Prefetch("gallery_images", queryset=ProjectGalleryImage.objects.select_related("image")),
            "gallery_images__image__renditions",
            Prefetch("documents", queryset=ProjectDocument.objects.select_related("document")),
            Prefetch("funding_lines", queryset=ProjectFundingLine.objects.select_related("aid")),
            "partners",
            "programmes",
            "thematics",
        )
        # The aids the funding lines name, in the visitor's language, in one query at most.
        linked = [line.aid for line in self.funding_lines.all() if line.aid is not None and line.aid.live]
        shown = {aid.pk: page for aid, page in zip(linked, localized_list(linked), strict=True)}
        for line in self.funding_lines.all():
            line.aid_page = shown.get(line.aid_id)
        context["related_section"] = self.related_section(request)
        return context

    def related_section(self, request, limit=3):
        """The « Projets proches » section, rendered once per state of what it shows and kept under the same
        rule as the related ids (see `related_projects`); a preview's is rendered each time."""
        if self._unsaved_related_links():
            return self._render_related(request, limit)
        key = f"hub:related-projects-html:{self.pk}:{limit}:{get_language()}"
        state = self._related_state()
        cached = cache.get(key)
        if cached is not None and cached[0] == state:
            return cached[1]
        html = self._render_related(request, limit)
        cache.set(key, (state, html), timeout=None)
        return html

    def _render_related(self, request, limit):
        related = self.related_projects(limit)
        return render_to_string("pages/includes/related_projects.html", {"related": related}, request)

    def _unsaved_related_links(self):
        return "related_links" in getattr(self, "_cluster_related_objects", {})

    def _related_state(self):
        return hub_cache.stamp([hub_cache.page_scope(self.get_parent()), hub_cache.page_scope(self)])

    def related_projects(self, limit=3):
        """Chosen by the editor, else the live projects sharing the most thematics and tags.

        The score (shared thematics plus shared tags) is computed in SQL on the two small link tables,
        restricted to the live, public projects of the page's language, best first (then the newest
        id). The chosen ids are kept until this page, or any page under its index, is saved, unpublished or
        deleted (hub.cache renews those scopes: the editor's own links are saved with this page), or the
        taxonomy changes (the global generation); a second query loads those pages.
        """
        if self._unsaved_related_links():
            # A preview's unsaved links (read in memory), never stored.
            ids = [link.target_id for link in self.related_links.all() if link.target and link.target.live][:limit]
            ids = ids or self._scored_related_ids(limit)
        else:
            key = f"hub:related-projects:{self.pk}:{limit}"
            state = self._related_state()
            cached = cache.get(key)
            if cached is not None and cached[0] == state:
                ids = cached[1]
            else:
                chosen = self.related_links.filter(target__live=True).values_list("target_id", flat=True)
                ids = list(chosen[:limit]) or self._scored_related_ids(limit)
                cache.set(key, (state, ids), timeout=None)
        if not ids:
            return []
        # The cards show no body: its StreamField is left in the database.
        pages = ProjectPage.objects.filter(pk__in=ids).defer_streamfields().select_related("commune").in_bulk()
        return [pages[pk] for pk in ids if pk in pages]

    def _scored_related_ids(self, limit):
        """The ids of the `limit` live projects sharing the most thematics and tags with this one."""

        thematics = ProjectPage.thematics.through._meta
        tags = ProjectTag._meta
        candidates, candidate_params = (
            ProjectPage.objects.live()
            .public()
            .filter(locale_id=self.locale_id)
            .exclude(pk=self.pk)
            .order_by()
            .values("pk")
            .query.sql_with_params()
        )
        quote = connection.ops.quote_name
        t, t_page, t_term = quote(thematics.db_table), quote("projectpage_id"), quote("thematic_id")
        g, g_page, g_term = quote(tags.db_table), quote("content_object_id"), quote("tag_id")
        sql = (
            f"SELECT shared.page_id FROM ("
            f"SELECT {t_page} AS page_id FROM {t} WHERE {t_term} IN "
            f"(SELECT {t_term} FROM {t} WHERE {t_page} = %s) "
            f"UNION ALL "
            f"SELECT {g_page} AS page_id FROM {g} WHERE {g_term} IN "
            f"(SELECT {g_term} FROM {g} WHERE {g_page} = %s)"
            f") shared WHERE shared.page_id IN ({candidates}) "
            f"GROUP BY shared.page_id ORDER BY COUNT(*) DESC, shared.page_id DESC LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.pk, self.pk, *candidate_params, limit])
            return [row[0] for row in cursor.fetchall()]


class ProjectExtraCommune(Orderable):
    page = ParentalKey(ProjectPage, on_delete=models.CASCADE, related_name="extra_commune_links")
    commune = models.ForeignKey("hub.Commune", on_delete=models.CASCADE, related_name="+", verbose_name=_("commune"))

    class Meta(Orderable.Meta):
        verbose_name = _("autre commune")


class ProjectFundingLine(TranslatablePageChild, Orderable):
    page = ParentalKey(ProjectPage, on_delete=models.CASCADE, related_name="funding_lines")
    funder = models.CharField(_("financeur"), max_length=200)
    amount = models.DecimalField(_("montant (€)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    aid = models.ForeignKey(
        "resources.AidPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="funding_lines",
        verbose_name=_("aide mobilisée"),
        help_text=_("Facultatif : l'aide du guide des aides qui a financé cette ligne."),
    )

    panels = [FieldRowPanel([FieldPanel("funder"), FieldPanel("amount")]), PageChooserPanel("aid", "resources.AidPage")]
    override_translatable_fields = synchronised("amount", "aid")

    class Meta(TranslatablePageChild.Meta, Orderable.Meta):
        verbose_name = _("ligne de financement")


class ProjectPartner(TranslatablePageChild, Orderable):
    page = ParentalKey(ProjectPage, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("partenaire"), max_length=200)
    role = models.CharField(_("rôle"), max_length=200, blank=True)
    url = models.URLField(_("site web"), blank=True)

    override_translatable_fields = synchronised("url")

    class Meta(TranslatablePageChild.Meta, Orderable.Meta):
        verbose_name = _("partenaire")


class ProjectGalleryImage(TranslatablePageChild, Orderable):
    page = ParentalKey(ProjectPage, on_delete=models.CASCADE, related_name="gallery_images")
    image = models.ForeignKey(
        "wagtailimages.Image", on_delete=models.CASCADE, related_name="+", verbose_name=_("image")
    )
    alt = models.CharField(_("texte alternatif"), max_length=250, blank=True)
    caption = models.CharField(_("légende"), max_length=250, blank=True)

    override_translatable_fields = synchronised("image")

    class Meta(TranslatablePageChild.Meta, Orderable.Meta):
        verbose_name = _("image de la galerie")


class ProjectDocument(TranslatablePageChild, Orderable):
    page = ParentalKey(ProjectPage, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey(
        "wagtaildocs.Document", on_delete=models.CASCADE, related_name="+", verbose_name=_("document")
    )
    title = models.CharField(_("titre affiché"), max_length=200, blank=True)

    override_translatable_fields = synchronised("document")

    class Meta(TranslatablePageChild.Meta, Orderable.Meta):
        verbose_name = _("document joint")


class ProjectRelatedLink(Orderable):
    page = ParentalKey(ProjectPage, on_delete=models.CASCADE, related_name="related_links")
    target = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+", verbose_name=_("projet"))

    panels = [PageChooserPanel("target", "resources.ProjectPage")]

    class Meta(Orderable.Meta):
        verbose_name = _("projet lié")


class ProjectIndexPage(IndexPage):
    """The Projétothèque: faceted listing, map, exports and the member proposal form."""

    template = "pages/project_index_page.html"
    subpage_types = ["resources.ProjectPage"]
    child_select_related = ("commune__department__region",)

    class Meta:
        verbose_name = _("Projétothèque")
        verbose_name_plural = _("Projétothèques")

    @path("")
    def listing(self, request):
        from resources import views  # noqa: PLC0415

        return views.project_listing_view(request, self)

    @re_path(r"^carte\.json/$", name="map_json")
    def map_json(self, request):
        from resources import views  # noqa: PLC0415

        return views.project_map_json(request, self)

    @re_path(r"^export\.csv/$")
    def export_csv(self, request):
        from resources import views  # noqa: PLC0415

        return views.project_export_csv(request, self)

    @re_path(r"^export\.json/$")
    def export_json(self, request):
        from resources import views  # noqa: PLC0415

        return views.project_export_json(request, self)

    @re_path(r"^flux\.xml/$")
    def feed(self, request):
        from resources import views  # noqa: PLC0415

        return views.project_feed(request, self)

    @path("proposer/")
    def propose(self, request):
        from resources import views  # noqa: PLC0415

        return views.propose_project(request, self)


class ResourceType(models.TextChoices):
    GUIDE = "guide", _("guide")
    KIT = "kit", _("kit")
    FICHE = "fiche-conseil", _("fiche-conseil")
    ATLAS = "atlas", _("atlas")
    BAROMETRE = "barometre", _("baromètre")
    ETUDE = "etude", _("étude")
    REPLAY = "replay", _("replay vidéo")


class ResourcePage(LocalisedTaxonomyMixin, Page):
    template = "pages/resource_page.html"
    parent_page_types = ["resources.ResourceIndexPage"]
    subpage_types = []
    base_form_class = LocalisedTaxonomyPageForm

    resource_type = models.CharField(_("type de ressource"), max_length=20, choices=ResourceType.choices)
    date = models.DateField(_("date de publication"))
    summary = models.TextField(_("résumé"), max_length=600)
    programmes = ParentalManyToManyField(
        "hub.Programme", blank=True, related_name="resources", verbose_name=_("programmes")
    )
    thematics = ParentalManyToManyField(
        "hub.Thematic", blank=True, related_name="resources", verbose_name=_("thématiques")
    )
    author = models.CharField(_("auteur ou éditeur"), max_length=200, blank=True)
    video_url = models.URLField(_("adresse de la vidéo"), blank=True, help_text=_("Pour un replay."))
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("contenu"))

    override_translatable_fields = synchronised("resource_type", "date", "video_url", "programmes", "thematics")

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("author"),
        index.FilterField("resource_type"),
        index.FilterField("date"),
    ]
    api_fields = [APIField("resource_type"), APIField("date"), APIField("summary"), APIField("body")]
    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("resource_type"), FieldPanel("date")]),
        FieldPanel("summary"),
        FieldPanel("author"),
        FieldPanel("programmes", widget=forms.CheckboxSelectMultiple),
        FieldPanel("thematics", widget=forms.CheckboxSelectMultiple),
        FieldPanel("video_url"),
        FieldPanel("body"),
        LabelledInlinePanel(
            "documents", label=_("Document"), add_label=_("Ajouter un document"), heading=_("Documents")
        ),
    ]

    class Meta:
        verbose_name = _("ressource")
        verbose_name_plural = _("ressources")


class AttachedDocument(TranslatablePageChild, Orderable):
    """A document offered for download on a page, under a title of its own (the resource's, the aid's)."""

    document = models.ForeignKey(
        "wagtaildocs.Document", on_delete=models.CASCADE, related_name="+", verbose_name=_("document")
    )
    title = models.CharField(_("titre affiché"), max_length=200, blank=True)

    override_translatable_fields = synchronised("document")

    class Meta(TranslatablePageChild.Meta, Orderable.Meta):
        abstract = True
        verbose_name = _("document")


class ResourceDocument(AttachedDocument):
    page = ParentalKey(ResourcePage, on_delete=models.CASCADE, related_name="documents")

    class Meta(AttachedDocument.Meta):
        verbose_name = _("document")


class ResourceIndexPage(IndexPage):
    """The resource library: faceted listing of guides, kits, studies and replays."""

    template = "pages/resource_index_page.html"
    subpage_types = ["resources.ResourcePage"]

    class Meta:
        verbose_name = _("bibliothèque de ressources")
        verbose_name_plural = _("bibliothèques de ressources")

    @path("")
    def listing(self, request):
        from resources import views  # noqa: PLC0415

        return views.resource_listing_view(request, self)


# Financing aids -------------------------------------------------------------------------------------------


class FunderType(models.TextChoices):
    STATE = "etat", pgettext_lazy("financeur", "État")
    STATE_OPERATOR = "operateur-etat", _("opérateur de l'État")
    BANQUE_DES_TERRITOIRES = "banque-des-territoires", _("Banque des Territoires")
    ANAH = "anah", _("Anah")
    ACTION_LOGEMENT = "action-logement", _("Action Logement")
    REGION = "region", _("Région")
    DEPARTMENT = "departement", _("Département")
    EPCI = "epci", _("Métropole ou EPCI")
    EUROPE = "europe", _("Europe")
    OTHER = "autre", _("autre")


class AidNature(models.TextChoices):
    GRANT = "subvention", _("subvention")
    LOAN = "pret", _("prêt")
    ADVANCE = "avance-remboursable", _("avance remboursable")
    ENGINEERING = "ingenierie", _("ingénierie ou accompagnement")
    CALL = "appel-a-projets", _("appel à projets")
    GUARANTEE = "fonds-de-garantie", _("fonds de garantie")


class Beneficiary(models.TextChoices):
    COMMUNE = "commune", _("commune")
    EPCI = "epci", _("EPCI")
    TRADER = "commercant-artisan", _("commerçant ou artisan")
    ASSOCIATION = "association", _("association")
    LANDLORD = "bailleur", _("bailleur")
    OWNER = "proprietaire", _("propriétaire")


class PopulationBand(models.TextChoices):
    # The bands of the listings and the observatory (hub.models.territories.POPULATION_BANDS).
    LT3500 = "lt3500", _("moins de 3 500 habitants")
    FROM3500 = "3500-20000", _("de 3 500 à 20 000 habitants")
    FROM20000 = "20000-50000", _("de 20 000 à 50 000 habitants")
    GT50000 = "gt50000", _("plus de 50 000 habitants")


class AidPage(LocalisedTaxonomyMixin, Page):
    """A financing aid: who funds it, what it gives to whom, until when, and its eligibility rules as data
    (resources.eligibility reads them)."""

    template = "pages/aid_page.html"
    parent_page_types = ["resources.AidIndexPage"]
    subpage_types = []
    base_form_class = LocalisedTaxonomyPageForm

    summary = models.TextField(_("résumé"), max_length=600, help_text=_("Ce que l'aide finance, en deux phrases."))
    funders = models.CharField(_("financeur(s)"), max_length=300, help_text=_("Par exemple : Banque des Territoires."))
    funder_type = models.CharField(_("type de financeur"), max_length=30, choices=FunderType.choices)
    natures = CodeSetField(_("nature de l'aide"), choices_of=AidNature, blank=False)
    beneficiaries = CodeSetField(_("bénéficiaires"), choices_of=Beneficiary, blank=False)
    programmes = ParentalManyToManyField(
        "hub.Programme", blank=True, related_name="aids", verbose_name=_("programmes concernés")
    )
    thematics = ParentalManyToManyField("hub.Thematic", blank=True, related_name="aids", verbose_name=_("thématiques"))
    # Eligibility, as data: every rule left empty admits every commune.
    eligible_regions = ParentalManyToManyField(
        "hub.Region", blank=True, related_name="+", verbose_name=_("régions éligibles")
    )
    eligible_departments = ParentalManyToManyField(
        "hub.Department", blank=True, related_name="+", verbose_name=_("départements éligibles")
    )
    eligible_epcis = ParentalManyToManyField(
        "hub.EPCI", blank=True, related_name="+", verbose_name=_("intercommunalités éligibles")
    )
    required_programmes = ParentalManyToManyField(
        "hub.Programme",
        blank=True,
        related_name="+",
        verbose_name=_("réservée aux communes des programmes"),
        help_text=_("Vide : ouverte aux communes de tout programme comme aux autres."),
    )
    population_bands = CodeSetField(
        _("tailles de commune éligibles"), choices_of=PopulationBand, help_text=_("Vide : toutes les tailles.")
    )
    eligibility = models.TextField(_("conditions d'éligibilité"), blank=True)
    amount_min = models.DecimalField(
        _("montant minimal (€)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    amount_max = models.DecimalField(
        _("montant maximal (€)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    rate_min = models.DecimalField(
        _("taux minimal (% de la dépense éligible)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    rate_max = models.DecimalField(
        _("taux maximal (% de la dépense éligible)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    illustrative_amounts = models.BooleanField(
        _("montants illustratifs"),
        default=False,
        help_text=_("Les montants et taux ne viennent pas d'une source : la page le dit."),
    )
    how_to_apply = models.TextField(_("comment et où déposer"), blank=True)
    application_url = models.URLField(_("adresse du dépôt"), blank=True)
    opens_on = models.DateField(_("ouverture"), null=True, blank=True)
    closes_on = models.DateField(_("clôture"), null=True, blank=True)
    permanent = models.BooleanField(_("permanente"), default=False, help_text=_("Sans date de clôture."))
    contact = models.TextField(_("contact"), blank=True)
    source_url = models.URLField(_("source"), blank=True)
    last_verified_on = models.DateField(_("dernière vérification"), null=True, blank=True)
    external_id = models.CharField(
        _("identifiant aides-territoires"), max_length=40, blank=True, db_index=True, editable=False
    )
    # The reminders sent to its editors (resources.aid_reminders): the closing date and the verification date
    # each was sent for, so that each is sent once, even after a missed day.
    closing_reminder_for = models.DateField(null=True, blank=True, editable=False)
    verification_reminder_for = models.DateField(null=True, blank=True, editable=False)
    # Where the aid can be used, derived from its territory rules on save, for the listing's territory
    # facets: the codes of the régions and départements it reaches; empty lists with `nationwide`.
    nationwide = models.BooleanField(default=True, editable=False)
    reach_regions = models.CharField(max_length=400, blank=True, default="", editable=False)
    reach_departments = models.CharField(max_length=1200, blank=True, default="", editable=False)

    override_translatable_fields = synchronised(
        "funder_type",
        "natures",
        "beneficiaries",
        "programmes",
        "thematics",
        "eligible_regions",
        "eligible_departments",
        "eligible_epcis",
        "eligible_commune_links",
        "required_programmes",
        "population_bands",
        "amount_min",
        "amount_max",
        "rate_min",
        "rate_max",
        "illustrative_amounts",
        "application_url",
        "opens_on",
        "closes_on",
        "permanent",
        "source_url",
        "last_verified_on",
    ) + [TranslatableField("summary"), TranslatableField("eligibility"), TranslatableField("how_to_apply")]

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("funders"),
        index.SearchField("eligibility"),
        index.FilterField("funder_type"),
        index.FilterField("closes_on"),
    ]
    api_fields = [APIField("summary"), APIField("funders"), APIField("funder_type"), APIField("closes_on")]
    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldRowPanel([FieldPanel("funders"), FieldPanel("funder_type")]),
        FieldPanel("natures"),
        FieldPanel("programmes", widget=forms.CheckboxSelectMultiple),
        FieldPanel("thematics", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("amount_min"), FieldPanel("amount_max")]),
                FieldRowPanel([FieldPanel("rate_min"), FieldPanel("rate_max")]),
                FieldPanel("illustrative_amounts"),
            ],
            heading=_("Montants et taux"),
        ),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("opens_on"), FieldPanel("closes_on")]), FieldPanel("permanent")],
            heading=_("Calendrier"),
        ),
        FieldPanel("how_to_apply"),
        FieldPanel("application_url"),
        FieldPanel("contact"),
        LabelledInlinePanel(
            "documents", label=_("Document"), add_label=_("Ajouter un document"), heading=_("Documents")
        ),
        MultiFieldPanel([FieldPanel("source_url"), FieldPanel("last_verified_on")], heading=_("Source")),
    ]
    eligibility_panels = [
        FieldPanel("beneficiaries"),
        FieldPanel("eligible_regions", widget=forms.CheckboxSelectMultiple),
        FieldPanel("eligible_departments"),
        FieldPanel("eligible_epcis"),
        LabelledMultipleChooserPanel(
            "eligible_commune_links",
            chooser_field_name="commune",
            label=_("Commune éligible"),
            add_label=_("Ajouter une commune"),
            heading=_("Communes éligibles"),
        ),
        FieldPanel("required_programmes", widget=forms.CheckboxSelectMultiple),
        FieldPanel("population_bands"),
        FieldPanel("eligibility"),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Aide")),
            ObjectList(eligibility_panels, heading=_("Éligibilité")),
            ObjectList(Page.promote_panels, heading=_("Référencement")),
            ObjectList(Page.settings_panels, heading=_("Paramètres")),
        ]
    )

    class Meta:
        verbose_name = pgettext_lazy("type de page", "aide")
        verbose_name_plural = pgettext_lazy("type de page", "aides")

    # What the reminders recorded belongs to the live page: neither a draft published later nor a copy
    # brings back an older value (which would send a reminder again).
    REMINDER_FIELDS = ("closing_reminder_for", "verification_reminder_for")
    exclude_fields_in_copy = list(REMINDER_FIELDS)

    def with_content_json(self, content):
        obj = super().with_content_json(content)
        for name in self.REMINDER_FIELDS:
            setattr(obj, name, getattr(self, name))
        return obj

    def clean(self):
        super().clean()
        errors = {}
        if self.amount_min is not None and self.amount_max is not None and self.amount_max < self.amount_min:
            errors["amount_max"] = _("Le montant maximal est inférieur au montant minimal.")
        if self.rate_min is not None and self.rate_max is not None and self.rate_max < self.rate_min:
            errors["rate_max"] = _("Le taux maximal est inférieur au taux minimal.")
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            errors["closes_on"] = _("La clôture précède l'ouverture.")
        if self.permanent and self.closes_on:
            errors["closes_on"] = _("Une aide permanente n'a pas de date de clôture.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        from resources.eligibility import reach  # noqa: PLC0415 (eligibility reads this module's models)

        self.nationwide, regions, departments = reach(self)
        self.reach_regions = f",{','.join(regions)}," if regions else ""
        self.reach_departments = f",{','.join(departments)}," if departments else ""
        return super().save(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from resources.eligibility import aid_context  # noqa: PLC0415

        context = super().get_context(request, *args, **kwargs)
        context.update(aid_context(self, request))
        return context


class AidEligibleCommune(Orderable):
    page = ParentalKey(AidPage, on_delete=models.CASCADE, related_name="eligible_commune_links")
    commune = models.ForeignKey("hub.Commune", on_delete=models.CASCADE, related_name="+", verbose_name=_("commune"))

    class Meta(Orderable.Meta):
        verbose_name = _("commune éligible")


class AidDocument(AttachedDocument):
    page = ParentalKey(AidPage, on_delete=models.CASCADE, related_name="documents")

    class Meta(AttachedDocument.Meta):
        verbose_name = _("document")


class AidIndexPage(IndexPage):
    """The guide to financing aids: faceted listing, « which aids for my commune », exports and feed."""

    template = "pages/aid_index_page.html"
    subpage_types = ["resources.AidPage"]

    class Meta:
        verbose_name = _("guide des aides")
        verbose_name_plural = _("guides des aides")

    @path("")
    def listing(self, request):
        from resources import aid_views  # noqa: PLC0415

        return aid_views.aid_listing_view(request, self)

    @re_path(r"^export\.csv/$")
    def export_csv(self, request):
        from resources import aid_views  # noqa: PLC0415

        return aid_views.aid_export_csv(request, self)

    @re_path(r"^export\.json/$")
    def export_json(self, request):
        from resources import aid_views  # noqa: PLC0415

        return aid_views.aid_export_json(request, self)

    @re_path(r"^flux\.xml/$")
    def feed(self, request):
        from resources import aid_views  # noqa: PLC0415

        return aid_views.aid_feed(request, self)
