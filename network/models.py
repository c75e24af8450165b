"""The network's people and structures: member profiles, organisations, applications to join, contact log.

Who may see which profile, and which of its fields, is decided in one place: `network.visibility`.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import path, re_path
from wagtail.search import index
from wagtail.search.queryset import SearchableQuerySetMixin

from hub.models.index import IndexPage

# Slugs the directory's own routes use: no profile may take them.
RESERVED_SLUGS = {"adherer", "apply", "export", "recherche", "search", "compte", "account"}


class Role(models.TextChoices):
    MANAGER = "manager", _("manager de centre-ville")
    ELECTED = "elu", _("élu·e")
    TECHNICAL = "technicien", _("technicien·ne de collectivité")
    FEDERATION = "federation", _("fédération professionnelle")
    PARTNER = "partenaire", _("partenaire")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("public : visible de tous")
    MEMBERS = "members", _("membres : visible des membres connectés")
    HIDDEN = "hidden", _("masqué : n'apparaît nulle part")


class Organisation(index.Indexed, models.Model):
    class Kind(models.TextChoices):
        COMMUNE = "commune", _("commune")
        EPCI = "epci", _("EPCI / EPT")
        FEDERATION = "federation", _("fédération professionnelle")
        CHAMBER = "cci_cma", _("CCI / CMA")
        TRADERS = "commercants", _("association de commerçants")
        INSTITUTION = "institution", _("partenaire institutionnel")
        CONSULTANCY = "bureau_etudes", _("bureau d'études")

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    commune = models.ForeignKey(
        "hub.Commune", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("commune")
    )
    epci = models.ForeignKey(
        "hub.EPCI", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("EPCI / EPT")
    )
    website = models.URLField(_("site web"), blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("logo"),
    )
    description = models.TextField(_("présentation"), blank=True, max_length=1000)

    panels = [
        FieldPanel("name"),
        FieldPanel("kind"),
        FieldPanel("commune"),
        FieldPanel("epci"),
        FieldPanel("website"),
        FieldPanel("logo"),
        FieldPanel("description"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name"), index.FilterField("kind")]

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Organisation, self.name)
        super().save(*args, **kwargs)


class MemberTag(TaggedItemBase):
    content_object = models.ForeignKey("network.Member", on_delete=models.CASCADE, related_name="tagged_items")


def photo_path(instance, filename):
    # Random names: a photo's URL must not give away whose it is, nor let anyone guess another's.
    return f"membres/{secrets.token_hex(12)}.jpg"


class MemberQuerySet(SearchableQuerySetMixin, models.QuerySet):
    def listed(self):
        """Profiles that may appear in the directory at all (never hidden ones)."""
        return self.filter(consent_to_appear=True, user__is_active=True).exclude(visibility=Visibility.HIDDEN)


class Member(index.Indexed, models.Model):
    """A member's profile: one per user account. Email addresses stay on the account, never printed."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member")
    slug = models.SlugField(max_length=120, unique=True)
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    role = models.CharField(_("catégorie"), max_length=20, choices=Role.choices)
    job_title = models.CharField(_("fonction"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        verbose_name=_("organisation"),
    )
    commune = models.ForeignKey(
        "hub.Commune", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("commune")
    )
    department = models.ForeignKey(
        "hub.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("département"),
        help_text=_("Déduit de la commune quand il n'est pas indiqué."),
    )
    programmes = models.ManyToManyField("hub.Programme", blank=True, related_name="+", verbose_name=_("programmes"))
    thematics = models.ManyToManyField(
        "hub.Thematic", blank=True, related_name="+", verbose_name=_("thématiques d'expertise")
    )
    tags = TaggableManager(through=MemberTag, blank=True, verbose_name=_("mots-clés"))
    bio = models.TextField(_("présentation"), blank=True, max_length=2000)
    photo = models.ImageField(_("photo"), upload_to=photo_path, blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    visibility = models.CharField(
        _("visibilité du profil"), max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    consent_to_appear = models.BooleanField(_("accepte de figurer dans l'annuaire"), default=False)
    consent_at = models.DateTimeField(_("consentement donné le"), null=True, blank=True)
    accepts_messages = models.BooleanField(
        _("accepte les messages du formulaire de contact"),
        default=True,
        help_text=_("Les messages sont relayés par courriel sans que l'adresse soit montrée."),
    )
    language = models.CharField(
        _("langue des courriels"),
        max_length=7,
        choices=settings.LANGUAGES,
        default="fr",
        help_text=_("La langue dans laquelle le site écrit à ce membre."),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = MemberQuerySet.as_manager()

    panels = [
        MultiFieldPanel(
            [FieldPanel("first_name"), FieldPanel("last_name"), FieldPanel("role"), FieldPanel("job_title")],
            heading=_("Identité"),
        ),
        MultiFieldPanel(
            [FieldPanel("organisation"), FieldPanel("commune"), FieldPanel("department")], heading=_("Territoire")
        ),
        MultiFieldPanel(
            [FieldPanel("programmes"), FieldPanel("thematics"), FieldPanel("tags"), FieldPanel("bio")],
            heading=_("Expertise"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("visibility"),
                FieldPanel("consent_to_appear"),
                FieldPanel("accepts_messages"),
                FieldPanel("language"),
                FieldPanel("phone"),
                FieldPanel("photo"),
            ],
            heading=_("Visibilité et coordonnées"),
        ),
    ]

    search_fields = [
        index.SearchField("first_name"),
        index.SearchField("last_name"),
        index.SearchField("job_title"),
        index.SearchField("bio"),
        index.AutocompleteField("last_name"),
        index.RelatedFields("organisation", [index.SearchField("name")]),
        index.RelatedFields("commune", [index.SearchField("name")]),
        index.FilterField("visibility"),
        index.FilterField("role"),
        index.FilterField("consent_to_appear"),
    ]

    class Meta:
        verbose_name = _("membre")
        verbose_name_plural = _("membres")
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Member, self.full_name, reserved=RESERVED_SLUGS)
        if self.commune_id and not self.department_id:
            self.department_id = self.commune.department_id
        if self.consent_to_appear and self.consent_at is None:
            self.consent_at = timezone.now()
        super().save(*args, **kwargs)


def unique_slug(model, text, reserved=(), field="slug"):
    """A free slug for `text`: its slugified form, or else the first free `slug-2`, `slug-3`… (one query)."""
    return unique_slugs(model, [text], reserved=reserved, field=field)[0]


def unique_slugs(model, texts, reserved=(), field="slug"):
    """Free, distinct slugs for each of `texts`, in order, as successive `unique_slug` calls would give.

    The slugs already taken are read in one query per 200 distinct names (each name's `slug` and
    `slug-…`), then numbered in memory: a bulk load of thousands of namesakes does not ask again.
    """
    bases = [slugify(text)[:100] or "profil" for text in texts]
    taken = set(reserved)
    distinct = sorted(set(bases))
    for start in range(0, len(distinct), 200):
        condition = models.Q()
        for base in distinct[start : start + 200]:
            condition |= models.Q(**{field: base}) | models.Q(**{f"{field}__startswith": f"{base}-"})
        taken.update(model.objects.filter(condition).values_list(field, flat=True))
    slugs, last_number = [], {}
    for base in bases:
        n = last_number.get(base, 1)
        slug = base if n == 1 else f"{base}-{n}"
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        last_number[base] = n
        slugs.append(slug)
    return slugs


class Application(models.Model):
    """A request to join the network, waiting for a moderator's decision."""

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente")
        APPROVED = "approved", _("acceptée")
        REFUSED = "refused", _("refusée")

    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.PENDING)
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    email = models.EmailField(_("adresse électronique"))
    role = models.CharField(_("catégorie"), max_length=20, choices=Role.choices)
    job_title = models.CharField(_("fonction"), max_length=200)
    organisation_name = models.CharField(_("organisation indiquée"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("organisation rattachée"),
        help_text=_("Choisissez l'organisation existante, ou laissez vide pour la créer à l'acceptation."),
    )
    organisation_kind = models.CharField(_("type d'organisation"), max_length=20, choices=Organisation.Kind.choices)
    commune = models.ForeignKey(
        "hub.Commune", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("commune")
    )
    programmes = models.ManyToManyField("hub.Programme", blank=True, related_name="+", verbose_name=_("programmes"))
    motivation = models.TextField(_("motivation"), max_length=2000)
    visibility = models.CharField(
        _("visibilité souhaitée"), max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    consent_to_appear = models.BooleanField(_("accepte de figurer dans l'annuaire"), default=False)
    language = models.CharField(
        _("langue"),
        max_length=7,
        choices=settings.LANGUAGES,
        default="fr",
        help_text=_("La langue de la page où la demande a été faite : les courriels suivent."),
    )
    submitted_at = models.DateTimeField(_("reçue le"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("décidée par"),
    )
    refusal_reason = models.TextField(_("motif du refus"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("compte créé"),
    )

    class Meta:
        verbose_name = _("demande d'adhésion")
        verbose_name_plural = _("demandes d'adhésion")
        ordering = ["-submitted_at"]

    def __str__(self):
        return f"{self.first_name} {self.last_name} ({self.get_status_display()})"

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"


class ContactMessage(models.Model):
    """The log of relayed messages: who wrote to whom and when (the text itself is not kept)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("en file")
        SENT = "sent", _("envoyé")
        FAILED = "failed", _("échec")

    recipient = models.ForeignKey(
        Member, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("destinataire")
    )
    sender_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("compte de l'expéditeur"),
    )
    sender_name = models.CharField(_("nom de l'expéditeur"), max_length=150, blank=True)
    sender_email = models.EmailField(_("adresse de l'expéditeur"), blank=True)
    subject = models.CharField(_("objet"), max_length=150)
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    created_at = models.DateTimeField(_("envoyé le"), default=timezone.now, db_index=True)
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.QUEUED)

    class Meta:
        verbose_name = _("message relayé")
        verbose_name_plural = _("messages relayés")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.sender_name} → {self.recipient or '—'} ({self.created_at:%d/%m/%Y %H:%M})"


class MemberIndexPage(IndexPage):
    """The directory: faceted listing of profiles, profile pages, contact relay and the application form."""

    template = "pages/member_index_page.html"
    subpage_types = []

    application_intro = models.TextField(_("texte d'introduction de la demande d'adhésion"), blank=True)

    content_panels = IndexPage.content_panels + [FieldPanel("application_intro")]

    class Meta:
        verbose_name = _("annuaire")
        verbose_name_plural = _("annuaires")

    @path("")
    def listing(self, request):
        from network import views  # noqa: PLC0415

        return views.directory(request, self)

    @path(pgettext_lazy("URL", "adherer/"), name="apply")
    def apply(self, request):
        from network import views  # noqa: PLC0415

        return views.apply(request, self)

    @re_path(r"^(?P<slug>[-\w]+)/$")
    def profile(self, request, slug):
        from network import views  # noqa: PLC0415

        return views.profile(request, self, slug)

    @re_path(r"^(?P<slug>[-\w]+)/contact/$")
    def contact(self, request, slug):
        from network import views  # noqa: PLC0415

        return views.contact(request, self, slug)

    def apply_url(self):
        """The application form's URL, with the route's slug in the page's language (/en/directory/apply/)."""

        with translation.override(self.locale.language_code):
            return self.url + self.reverse_subpage("apply")

    def get_sitemap_urls(self, request=None):
        from network.visibility import visible_members  # noqa: PLC0415

        urls = super().get_sitemap_urls(request)
        base = self.get_full_url(request)
        if base:
            for slug, updated in visible_members(None).values_list("slug", "updated_at"):
                urls.append({"location": f"{base}{slug}/", "lastmod": updated})
        return urls


class EmailChangeRequest(models.Model):
    """A member asked to use a new address: it replaces the account's once the link sent to it is followed.

    Only a hash of the token is kept; a request serves once and expires (NETWORK_EMAIL_CHANGE_HOURS).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("compte")
    )
    new_email = models.EmailField(_("nouvelle adresse"))
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    used_at = models.DateTimeField(_("confirmé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("changement d'adresse")
        verbose_name_plural = _("changements d'adresse")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user} → {self.new_email}"
