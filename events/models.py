"""Events (workshops, webinars, the Assises…), their sessions and registrations."""

import secrets
import zoneinfo
from urllib.parse import urlparse

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.fields import StreamField
from wagtail.models import Locale, Orderable, Page, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from events.blocks import AgendaBlock
from hub.blocks import BaseStreamBlock
from hub.models.index import IndexPage
from hub.models.localised import LocalisedTaxonomyMixin, LocalisedTaxonomyPageForm

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# The agenda's own sub-routes (French, and the English names of the registration routes).
RESERVED_SLUGS = {"inscription", "registration", "calendrier"}


def _route_name(name, language):
    """Routes with an English path are named `<name>_en`: `inscription/` in French, `registration/` in English."""
    return f"{name}_en" if (language or "fr")[:2] == "en" else name


def _synchronized(*names):
    """Fields copied from the source page as they are and not offered for translation (no raw ids)."""
    return [SynchronizedField(name, overridable=False) for name in names]


class EventType(models.TextChoices):
    WORKSHOP = "atelier", _("atelier thématique")
    ASSISES = "assises", _("Assises du Centre-Ville")
    WEBINAR = "webinaire", _("webinaire")
    REGIONAL = "rencontre-regionale", _("rencontre régionale")
    VISIT = "visite", _("visite")
    TRAINING = "formation", _("formation")


class EventFormat(models.TextChoices):
    IN_PERSON = "presentiel", _("présentiel")
    ONLINE = "en-ligne", _("en ligne")
    HYBRID = "hybride", _("hybride")


class Audience(models.TextChoices):
    PUBLIC = "public", _("public")
    MEMBERS = "members", _("membres du réseau")


class Seats(models.Model):
    """A row with places, an event or a session: `capacity` (None: no limit) and `seats_taken`, the number
    of its registrations that hold a seat (Registration.HOLDING). The capacity rule is written here, once:
    a row has room for one more person when `capacity` is None or `seats_taken < capacity` (`with_room()` in
    SQL, `seats_left()` in Python, on a row just read). events.registration moves the counter with one
    conditional UPDATE per row (see `take`), in the same transaction as the registration's status;
    `recount_seats` rebuilds it from the registrations (data migration, page publication, fixtures)."""

    seats_taken = models.PositiveIntegerField(_("places occupées"), default=0, editable=False)

    class Meta:
        abstract = True

    @staticmethod
    def with_room():
        return Q(capacity__isnull=True) | Q(seats_taken__lt=F("capacity"))

    def seats_left(self):
        if self.capacity is None:
            return None
        return max(self.capacity - self.seats_taken, 0)

    @classmethod
    def take(cls, pks, **unchanged):
        """One seat more in each row of `pks` that has room (and still has the `unchanged` values), as one
        UPDATE (the row lock lasts until the transaction ends: callers commit soon); returns how many rows
        took one."""
        rows = cls.objects.filter(pk__in=pks, **unchanged).filter(cls.with_room())
        return rows.update(seats_taken=F("seats_taken") + 1)

    @classmethod
    def release(cls, pks):
        return cls.objects.filter(pk__in=pks).update(seats_taken=F("seats_taken") - 1)


def recount_seats(event_ids):
    """Sets the counters of these events and of their sessions to the registrations holding a seat."""
    holding = Registration.objects.filter(status__in=Registration.HOLDING)
    per_event = holding.filter(event_id=OuterRef("pk")).order_by().values("event_id").annotate(n=Count("pk"))
    EventPage.objects.filter(pk__in=event_ids).update(seats_taken=Coalesce(Subquery(per_event.values("n")), 0))
    links = Registration.sessions.through.objects.filter(
        eventsession_id=OuterRef("pk"), registration__status__in=Registration.HOLDING
    )
    per_session = links.order_by().values("eventsession_id").annotate(n=Count("pk")).values("n")
    EventSession.objects.filter(event_id__in=event_ids).update(seats_taken=Coalesce(Subquery(per_session), 0))


class EventIndexPage(IndexPage):
    """The events listing (upcoming and past), the calendar feed and the attendees' private links."""

    template = "pages/event_index_page.html"
    subpage_types = ["events.EventPage"]

    class Meta:
        verbose_name = _("agenda des événements")
        verbose_name_plural = _("agendas des événements")

    @path("")
    def listing(self, request):
        from events import views  # noqa: PLC0415

        return views.event_listing_view(request, self)

    @re_path(r"^calendrier\.ics/$")
    def calendar(self, request):
        from events import views  # noqa: PLC0415

        return views.calendar_feed(request, self)

    @path("inscription/<str:token>/", name="registration")
    @path("registration/<str:token>/", name="registration_en")
    def registration(self, request, token):
        from events import views  # noqa: PLC0415

        return views.registration_detail(request, self, token)

    @path("inscription/<str:token>/calendrier.ics", name="registration_ics")
    @path("registration/<str:token>/calendar.ics", name="registration_ics_en")
    def registration_calendar(self, request, token):
        from events import views  # noqa: PLC0415

        return views.registration_ics(request, self, token)

    @path("inscription/<str:token>/annuler/", name="registration_cancel")
    @path("registration/<str:token>/cancel/", name="registration_cancel_en")
    def registration_cancel(self, request, token):
        from events import views  # noqa: PLC0415

        return views.registration_cancel(request, self, token)


class EventPage(LocalisedTaxonomyMixin, RoutablePageMixin, Seats, Page):  # noqa: DJ008 — Page's __str__
    template = "pages/event_page.html"
    base_form_class = LocalisedTaxonomyPageForm
    taxonomy_fields = ("thematics",)
    parent_page_types = ["events.EventIndexPage"]
    subpage_types = []

    event_type = models.CharField(_("type d'événement"), max_length=30, choices=EventType.choices)
    format = models.CharField(_("format"), max_length=12, choices=EventFormat.choices, default=EventFormat.IN_PERSON)
    start = models.DateTimeField(_("début"), help_text=_("Heure de Paris."))
    end = models.DateTimeField(_("fin"), help_text=_("Heure de Paris."))
    summary = models.TextField(_("résumé"), max_length=600)
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("présentation"))
    agenda = StreamField(AgendaBlock(), blank=True, verbose_name=_("programme"))
    venue = models.CharField(_("lieu"), max_length=200, blank=True)
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    commune = models.ForeignKey(
        "hub.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("commune"),
    )
    online_url = models.URLField(
        _("lien de connexion"),
        blank=True,
        help_text=_("Montré seulement aux personnes dont l'inscription est confirmée."),
    )
    audience = models.CharField(_("public"), max_length=10, choices=Audience.choices, default=Audience.PUBLIC)
    thematics = ParentalManyToManyField(
        "hub.Thematic", blank=True, related_name="events", verbose_name=_("thématiques")
    )
    registration_enabled = models.BooleanField(_("inscriptions ouvertes sur le site"), default=True)
    capacity = models.PositiveIntegerField(
        _("nombre de places"), null=True, blank=True, help_text=_("Vide : pas de limite.")
    )
    registration_opens_at = models.DateTimeField(_("ouverture des inscriptions"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(
        _("clôture des inscriptions"), null=True, blank=True, help_text=_("Vide : jusqu'au début de l'événement.")
    )
    approval_required = models.BooleanField(_("inscriptions validées par l'équipe"), default=False)
    waitlist_enabled = models.BooleanField(_("liste d'attente"), default=True)
    organiser_email = models.EmailField(
        _("adresse de réponse"), blank=True, help_text=_("Les réponses aux courriels de l'événement y arrivent.")
    )

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("venue"),
        index.RelatedFields("commune", [index.SearchField("name")]),
        index.FilterField("event_type"),
        index.FilterField("start"),
    ]
    # The online link is deliberately absent: it is for confirmed attendees only.
    api_fields = [
        APIField("event_type"),
        APIField("format"),
        APIField("start"),
        APIField("end"),
        APIField("summary"),
        APIField("venue"),
        APIField("address"),
        APIField("audience"),
    ]

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("event_type"), FieldPanel("format"), FieldPanel("audience")]),
        FieldRowPanel([FieldPanel("start"), FieldPanel("end")], heading=_("Dates")),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("agenda"),
        InlinePanel("speakers", label=_("Intervenant·e"), heading=_("Intervenant·es")),
        FieldPanel("thematics", widget=forms.CheckboxSelectMultiple),
    ]
    place_panels = [
        FieldPanel("venue"),
        FieldPanel("address"),
        FieldPanel("commune"),
        FieldPanel("online_url"),
    ]
    registration_panels = [
        MultiFieldPanel(
            [
                FieldPanel("registration_enabled"),
                FieldRowPanel([FieldPanel("registration_opens_at"), FieldPanel("registration_closes_at")]),
                FieldRowPanel(
                    [FieldPanel("capacity"), FieldPanel("waitlist_enabled"), FieldPanel("approval_required")]
                ),
                FieldPanel("organiser_email"),
            ],
            heading=_("Inscriptions"),
        ),
        InlinePanel("sessions", label=_("Session"), heading=_("Sessions (plénière, ateliers en parallèle…)")),
        InlinePanel("questions", label=_("Question"), heading=_("Questions posées à l'inscription")),
    ]
    after_panels = [InlinePanel("documents", label=_("Document"), heading=_("Documents (supports, comptes rendus)"))]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Événement")),
            ObjectList(place_panels, heading=_("Lieu")),
            ObjectList(registration_panels, heading=_("Inscriptions")),
            ObjectList(after_panels, heading=_("Après l'événement")),
            ObjectList(Page.promote_panels, heading=_("Référencement")),
            ObjectList(Page.settings_panels, heading=_("Paramètres")),
        ]
    )

    # wagtail-localize: every text a reader sees is offered for translation (title, summary, body,
    # programme, venue, and the speakers', sessions', questions' and documents' texts); the facts are
    # copied from the French page on each sync, never retranslated, and none is shown as a raw id.
    override_translatable_fields = [
        TranslatableField("venue"),
        TranslatableField("speakers"),
        TranslatableField("sessions"),
        TranslatableField("questions"),
        TranslatableField("documents"),
        *_synchronized(
            "event_type",
            "format",
            "start",
            "end",
            "address",
            "commune",
            "online_url",
            "audience",
            "registration_enabled",
            "capacity",
            "registration_opens_at",
            "registration_closes_at",
            "approval_required",
            "waitlist_enabled",
            "organiser_email",
        ),
    ]

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")

    def clean(self):
        super().clean()
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = _("La fin doit suivre le début.")
        if self.slug in RESERVED_SLUGS:
            errors["slug"] = _("Cette adresse est réservée : choisissez-en une autre.")
        if self.registration_opens_at and self.registration_closes_at:
            if self.registration_closes_at <= self.registration_opens_at:
                errors["registration_closes_at"] = _("La clôture doit suivre l'ouverture.")
        if self.format in (EventFormat.ONLINE, EventFormat.HYBRID) and not self.online_url:
            errors["online_url"] = _("Un événement en ligne ou hybride a besoin d'un lien de connexion.")
        if self.format in (EventFormat.IN_PERSON, EventFormat.HYBRID) and not (self.venue or self.address):
            errors["venue"] = _("Indiquez le lieu de l'événement.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        """A full save (publishing a revision, a translation's sync) writes every field from the object,
        the counters too, as they were when the revision was made: they are counted again, under the row
        lock that save has just taken, before the transaction ends."""
        update_fields = kwargs.get("update_fields")
        with transaction.atomic():
            result = super().save(*args, **kwargs)
            if update_fields is None or "seats_taken" in update_fields:
                recount_seats([self.pk])
                self.seats_taken = type(self).objects.values_list("seats_taken", flat=True).get(pk=self.pk)
        return result

    # Routes --------------------------------------------------------------------------------------------
    @path("")
    def detail(self, request):
        from events import views  # noqa: PLC0415

        return views.event_detail(request, self)

    @path("inscription/", name="register")
    @path("registration/", name="register_en")
    def register(self, request):
        from events import views  # noqa: PLC0415

        return views.register(request, self)

    @re_path(r"^evenement\.ics/$", name="ics")
    def ics(self, request):
        from events import views  # noqa: PLC0415

        return views.event_ics(request, self)

    # Facts -----------------------------------------------------------------------------------------
    @property
    def uid(self):
        """Stable iCalendar UID: the page id never changes, even when the title or slug does."""
        domain = urlparse(settings.SITE_BASE_URL).hostname or "centralites.localhost"
        return f"event-{self.pk}@{domain}"

    # Languages -------------------------------------------------------------------------------------
    def source_event(self):
        """The event registrations belong to: the page in the default language (French). An English
        translation shares its seats, sessions and registrations."""
        default = settings.LANGUAGE_CODE[:2]
        if self.locale.language_code == default:
            return self
        source = EventPage.objects.filter(translation_key=self.translation_key, locale__language_code=default).first()
        return source or self

    def in_language(self, language=None):
        """The live translation of this event in `language` (the current one by default), or this page."""

        language = (language or get_language() or "fr")[:2]
        if self.locale.language_code == language:
            return self
        translation = (
            EventPage.objects.live()
            .filter(translation_key=self.translation_key, locale__language_code=language)
            .first()
        )
        return translation or self

    def absolute_url(self, language=None):
        """The page's address from SITE_BASE_URL (never from the Site record), in `language` if translated."""
        page = self.in_language(language) if language else self
        parts = page.get_url_parts()
        return settings.SITE_BASE_URL + (parts[2] if parts else "/")

    def registration_path(self):
        """The registration form: `…/inscription/` for a French page, `…/registration/` for an English one."""
        return (self.url or "") + self.reverse_subpage(_route_name("register", self.locale.language_code))

    def session_titles(self, language=None):
        """translation_key → the session's title in `language` (for labels; seats stay with the source)."""
        page = self.in_language(language)
        return dict(page.sessions.values_list("translation_key", "title"))

    @property
    def members_only(self):
        return self.audience == Audience.MEMBERS

    @property
    def is_online(self):
        return self.format in (EventFormat.ONLINE, EventFormat.HYBRID)

    @property
    def is_in_person(self):
        return self.format in (EventFormat.IN_PERSON, EventFormat.HYBRID)

    def is_past(self, now=None):
        return self.end < (now or timezone.now())

    def closes_at(self):
        return self.registration_closes_at or self.start

    def window_open(self, now=None):
        """Registrations enabled and the registration window open (capacity aside)."""
        now = now or timezone.now()
        if not self.registration_enabled:
            return False
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        return now < self.closes_at()

    def registration_state(self, now=None):
        """open, not-yet, closed, full (no waiting list) or waitlist (full, waiting list open), or disabled."""
        now = now or timezone.now()
        if not self.registration_enabled:
            return "disabled"
        if self.registration_opens_at and now < self.registration_opens_at:
            return "not-yet"
        if now >= self.closes_at():
            return "closed"
        if self.capacity is not None and self.seats_left() == 0:
            return "waitlist" if self.waitlist_enabled else "full"
        return "open"

    def local_start(self):
        return timezone.localtime(self.start, PARIS)

    def local_end(self):
        return timezone.localtime(self.end, PARIS)

    def ordered_sessions(self):
        return self.sessions.order_by("start", "sort_order", "pk")

    def place_label(self):
        parts = [part for part in (self.venue, self.address) if part]
        if self.commune_id and self.commune.name not in " ".join(parts):
            parts.append(self.commune.name)
        return ", ".join(parts)

    def json_ld(self, request=None, speakers=None):
        """schema.org Event, with the place or a virtual location (the page, never the private link)."""
        url = self.absolute_url()
        locations = []
        if self.is_in_person:
            locations.append(
                {
                    "@type": "Place",
                    "name": self.venue or self.place_label(),
                    "address": {
                        "@type": "PostalAddress",
                        "streetAddress": self.address,
                        "addressLocality": self.commune.name if self.commune_id else "",
                        "addressCountry": "FR",
                    },
                }
            )
        if self.is_online:
            locations.append({"@type": "VirtualLocation", "url": url})
        attendance = {
            EventFormat.IN_PERSON: "https://schema.org/OfflineEventAttendanceMode",
            EventFormat.ONLINE: "https://schema.org/OnlineEventAttendanceMode",
            EventFormat.HYBRID: "https://schema.org/MixedEventAttendanceMode",
        }[self.format]
        data = {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": self.title,
            "description": self.summary,
            "startDate": self.local_start().isoformat(),
            "endDate": self.local_end().isoformat(),
            "eventStatus": "https://schema.org/EventScheduled",
            "eventAttendanceMode": attendance,
            "location": locations[0] if len(locations) == 1 else locations,
            "url": url,
            "inLanguage": "fr",
            "isAccessibleForFree": True,
        }
        if self.capacity is not None:
            data["maximumAttendeeCapacity"] = self.capacity
            data["remainingAttendeeCapacity"] = self.seats_left()
        speakers = [
            {"@type": "Person", "name": s.name} for s in (self.speakers.all() if speakers is None else speakers)
        ]
        if speakers:
            data["performer"] = speakers
        return data


class SessionKind(models.TextChoices):
    PLENARY = "pleniere", _("plénière")
    WORKSHOP = "atelier", _("atelier")
    VISIT = "visite", _("visite")
    OTHER = "autre", _("autre")


class EventSession(TranslatableMixin, Seats, Orderable):
    """A session of an event. Registrations always point to the French page's sessions (the seats); an
    English page's sessions are their translations (same translation_key), used for their labels."""

    event = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("intitulé"), max_length=200)
    kind = models.CharField(
        _("type de session"), max_length=10, choices=SessionKind.choices, default=SessionKind.WORKSHOP
    )
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True, help_text=_("Vide : pas de limite."))
    room = models.CharField(_("salle"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)

    panels = [
        FieldRowPanel([FieldPanel("title"), FieldPanel("kind")]),
        FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
        FieldRowPanel([FieldPanel("capacity"), FieldPanel("room")]),
        FieldPanel("description"),
    ]
    override_translatable_fields = _synchronized("kind", "start", "end", "capacity")

    class Meta(TranslatableMixin.Meta):
        ordering = ["sort_order"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self):
        return (
            f"{self.title} ({timezone.localtime(self.start, PARIS):%H:%M}–{timezone.localtime(self.end, PARIS):%H:%M})"
        )

    def clean(self):
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("La fin doit suivre le début.")})

    def overlaps(self, other):
        return self.start < other.end and other.start < self.end


class QuestionKind(models.TextChoices):
    TEXT = "text", _("réponse courte")
    LONG = "long", _("réponse longue")
    CHOICE = "choice", _("choix dans une liste")
    YES_NO = "yes-no", _("oui / non")


class EventQuestion(TranslatableMixin, Orderable):
    """A question the organiser adds to one event's registration form, optionally asked only after an answer."""

    event = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(
        _("code"), max_length=40, blank=True, help_text=_("Identifiant court, tiré de l'intitulé si vide.")
    )
    label = models.CharField(_("intitulé"), max_length=250)
    help_text = models.CharField(_("aide"), max_length=250, blank=True)
    kind = models.CharField(
        _("type de réponse"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.TEXT
    )
    choices = models.TextField(_("choix proposés"), blank=True, help_text=_("Un choix par ligne."))
    required = models.BooleanField(_("réponse obligatoire"), default=False)
    condition_key = models.SlugField(
        _("seulement si la question"), max_length=40, blank=True, help_text=_("Code d'une question précédente.")
    )
    condition_value = models.CharField(
        _("a pour réponse"), max_length=200, blank=True, help_text=_("Pour oui / non : « oui » ou « non ».")
    )

    panels = [
        FieldRowPanel([FieldPanel("label"), FieldPanel("key")]),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("required")]),
        FieldPanel("choices"),
        FieldPanel("help_text"),
        FieldRowPanel([FieldPanel("condition_key"), FieldPanel("condition_value")], heading=_("Condition")),
    ]
    # Answers are stored under the key and, for lists, the French choice: a translated list keeps the
    # same order, so its labels map to the French values (see RegistrationForm).
    override_translatable_fields = _synchronized("key", "kind", "required", "condition_key", "condition_value")

    class Meta(TranslatableMixin.Meta):
        ordering = ["sort_order"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def save(self, *args, **kwargs):
        if not self.key:
            self.key = slugify(self.label)[:40] or f"question-{self.sort_order or 0}"
        super().save(*args, **kwargs)

    def clean(self):
        if self.kind == QuestionKind.CHOICE and not self.choice_list():
            raise ValidationError({"choices": _("Indiquez au moins un choix.")})
        if self.condition_key and not self.condition_value:
            raise ValidationError({"condition_value": _("Indiquez la réponse qui déclenche la question.")})

    def choice_list(self):
        return [line.strip() for line in (self.choices or "").splitlines() if line.strip()]


class EventSpeaker(TranslatableMixin, Orderable):
    event = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="speakers")
    name = models.CharField(_("nom"), max_length=150)
    role = models.CharField(_("fonction"), max_length=200, blank=True)
    organisation = models.CharField(_("structure"), max_length=200, blank=True)

    override_translatable_fields = _synchronized("name")

    class Meta(TranslatableMixin.Meta):
        ordering = ["sort_order"]
        verbose_name = _("intervenant·e")
        verbose_name_plural = _("intervenant·es")


class EventDocument(TranslatableMixin, Orderable):
    event = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey(
        "wagtaildocs.Document", on_delete=models.CASCADE, related_name="+", verbose_name=_("document")
    )
    title = models.CharField(_("titre affiché"), max_length=200, blank=True)

    override_translatable_fields = _synchronized("document")

    class Meta(TranslatableMixin.Meta):
        ordering = ["sort_order"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")


def new_token():
    return secrets.token_urlsafe(32)


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("confirmée")
    WAITLISTED = "waitlisted", _("en liste d'attente")
    PENDING = "pending", _("en attente de validation")
    CANCELLED = "cancelled", _("annulée")
    ATTENDED = "attended", _("présence pointée")


class CancelReason(models.TextChoices):
    ATTENDEE = "attendee", _("annulée par la personne")
    REFUSED = "refused", _("refusée par l'équipe")
    ORGANISER = "organiser", _("annulée par l'équipe")


class Registration(models.Model):
    Status = RegistrationStatus
    # Personal data, referring to nothing an editor deletes: kept out of Wagtail's reference index (its
    # admin viewset would add it, at four more queries per registration).
    wagtail_reference_index_ignore = True
    HOLDING = (RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED)  # statuses that take a seat
    ACTIVE = (
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.ATTENDED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.PENDING,
    )

    event = models.ForeignKey(EventPage, on_delete=models.CASCADE, related_name="registrations")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    status = models.CharField(_("statut"), max_length=12, choices=RegistrationStatus.choices, db_index=True)
    cancel_reason = models.CharField(_("motif d'annulation"), max_length=10, choices=CancelReason.choices, blank=True)
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    email = models.EmailField(_("adresse électronique"))
    organisation = models.CharField(_("structure"), max_length=200, blank=True)
    role = models.CharField(_("fonction"), max_length=200, blank=True)
    commune = models.ForeignKey(
        "hub.Commune", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("commune")
    )
    sessions = models.ManyToManyField(EventSession, blank=True, related_name="registrations")
    answers = models.JSONField(_("réponses"), default=dict, blank=True)
    accessibility_needs = models.TextField(_("besoins d'accessibilité"), blank=True)
    consent_at = models.DateTimeField(_("consentement donné le"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="event_registrations"
    )
    language = models.CharField(max_length=8, default="fr")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(_("pointé·e à"), null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    # Grows with every change the attendee's calendar must take (sessions changed, cancelled): the
    # .ics attached to the emails carries it in SEQUENCE, so calendar apps replace what they have.
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["created_at", "pk"]
        constraints = [
            # One registration per person and event; anonymised rows have no address left to compare.
            models.UniqueConstraint(
                fields=["event", "email"], condition=~Q(email=""), name="events_one_registration_per_email"
            )
        ]
        indexes = [models.Index(fields=["event", "status"])]
        permissions = [("manage_registrations", "Gérer les inscriptions aux événements")]

    def __str__(self):
        return f"{self.full_name} — {self.event.title}"

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_active(self):
        return self.status in self.ACTIVE

    @property
    def holds_seat(self):
        return self.status in self.HOLDING

    def _private_route(self, name, language=None):
        """A route of the attendee's own pages below the agenda, in `language` (the registration's by default)."""
        index = self.event.get_parent().specific
        language = language or self.language or "fr"
        localized = index.get_translation_or_none(_locale(language)) if language != index.locale.language_code else None
        page = localized if localized is not None and localized.live else index
        parts = page.get_url_parts()
        base = parts[2] if parts else "/"
        return base + page.reverse_subpage(_route_name(name, page.locale.language_code), args=[self.token])

    def private_path(self, language=None):
        """The attendee's own page: `/fr/evenements/inscription/<token>/`, `/en/events/registration/<token>/`."""
        return self._private_route("registration", language)

    def calendar_path(self, language=None):
        """The attendee's own .ics (their sessions' times)."""
        return self._private_route("registration_ics", language)

    def cancel_path(self, language=None):
        """The confirmation step of a cancellation, below the private page."""
        return self._private_route("registration_cancel", language)

    def private_url(self, language=None):
        return settings.SITE_BASE_URL + self.private_path(language)


def _locale(language_code):
    return Locale.objects.filter(language_code=language_code).first()


class RegistrationNotice(models.Model):
    """Which email a registration has been sent: the tasks check it under a row lock, so nothing goes twice."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=20)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["registration", "kind"], name="events_one_notice_per_kind")]

    def __str__(self):
        return f"{self.kind} → {self.registration_id}"


class EventMessage(models.Model):
    """A message the organisers send to every confirmed attendee of an event."""

    event = models.ForeignKey(EventPage, on_delete=models.CASCADE, related_name="messages")
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("message"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("message aux inscrits")
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject


class EventMessageDelivery(models.Model):
    message = models.ForeignKey(EventMessage, on_delete=models.CASCADE, related_name="deliveries")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "registration"], name="events_one_delivery_per_message")
        ]

    def __str__(self):
        return f"{self.message_id} → {self.registration_id}"
