"""Demo events: past and upcoming events of every type, one multi-session Assises, registrations.

Idempotent: events are found by slug; registrations are added only to events that have none.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldError
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Locale

from events.models import (
    EventIndexPage,
    EventPage,
    EventQuestion,
    EventSession,
    EventSpeaker,
    Registration,
    RegistrationStatus,
)
from hub.demo import a, de
from hub.models import Commune, Thematic

# (type, format, title pattern, summary, thematics, capacity, hours)
ARCHETYPES = [
    (
        "atelier",
        "presentiel",
        "Atelier : la vacance commerciale {de}",
        "Une demi-journée pour comparer les outils contre les locaux vides : observatoire, boutique à l'essai, "
        "foncière, dialogue avec les propriétaires.",
        ["commerce", "management-centre-ville"],
        30,
        3,
    ),
    (
        "webinaire",
        "en-ligne",
        "Webinaire : financer la rénovation des logements du centre",
        "Une heure pour faire le tour des aides mobilisables et des montages qui ont fonctionné dans les villes "
        "du réseau, avec un temps de questions.",
        ["habitat"],
        200,
        1,
    ),
    (
        "rencontre-regionale",
        "presentiel",
        "Rencontre régionale des centralités {a}",
        "Les équipes projet de la région se retrouvent pour partager leurs avancées, visiter des réalisations "
        "et préparer les prochaines étapes.",
        ["espaces-publics", "equipements"],
        60,
        6,
    ),
    (
        "visite",
        "presentiel",
        "Visite de terrain : les halles et la place {de}",
        "Une visite commentée par l'équipe municipale : choix du programme, chantier, gestion du lieu.",
        ["commerce", "espaces-publics"],
        25,
        2,
    ),
    (
        "formation",
        "hybride",
        "Formation : piloter un projet de revitalisation",
        "Deux modules pour les nouveaux chefs de projet : gouvernance, convention, indicateurs de suivi.",
        ["management-centre-ville"],
        40,
        7,
    ),
    (
        "atelier",
        "hybride",
        "Atelier : végétaliser les rues commerçantes",
        "Retours d'expérience sur les îlots de fraîcheur en centre-ville : essences, entretien, dialogue avec "
        "les commerçants.",
        ["transition-ecologique", "espaces-publics"],
        35,
        3,
    ),
]

FIRST_NAMES = ["Claire", "Julien", "Sophie", "Karim", "Nathalie", "Thomas", "Aurélie", "Mehdi", "Isabelle", "Antoine"]
LAST_NAMES = ["Martin", "Bernard", "Moreau", "Benali", "Lefèvre", "Garnier", "Roux", "Fontaine", "Chevalier", "Nguyen"]
ROLES = ["manager de centre-ville", "cheffe de projet", "élu au commerce", "chargée de mission habitat"]


def build_index(home):
    index = EventIndexPage.objects.child_of(home).first()
    if index is None:
        index = EventIndexPage(
            title="Événements",
            slug="evenements",
            show_in_menus=True,
            locale=home.locale,
            intro="Ateliers thématiques, webinaires, visites, formations et les Assises du Centre-Ville : "
            "les rendez-vous du réseau, ouverts sur inscription.",
        )
        home.add_child(instance=index)
        index.save_revision().publish()
    en = Locale.objects.filter(language_code="en").first()
    if en is not None:
        translated = index.get_translation_or_none(en)
        if translated is None:
            translated = index.copy_for_translation(en)
        translated = translated.specific
        if translated.slug != "events" or not translated.live:
            translated.title, translated.slug, translated.show_in_menus = "Events", "events", True
            translated.intro = (
                "Workshops, webinars, site visits, training and the Assises du Centre-Ville: the network's "
                "meetings, open on registration."
            )
            translated.save_revision().publish()
    return index


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _people(count, rng):
    """Members' accounts first (the directory's demo creates them), then plain names."""

    try:
        users = list(get_user_model().objects.filter(member__isnull=False).exclude(email="").order_by("pk")[:count])
    except FieldError:  # the directory is not installed yet
        users = []
    people = [
        (u, u.first_name or rng.choice(FIRST_NAMES), u.last_name or rng.choice(LAST_NAMES), u.email) for u in users
    ]
    number = 0
    while len(people) < count:
        first, last = FIRST_NAMES[number % 10], LAST_NAMES[(number * 3 + number // 10) % 10]
        people.append((None, first, last, f"{slugify(first)}.{slugify(last)}.{number}@demo-centralites.fr"))
        number += 1
    return people


def _add_registrations(event, rng, past):
    if event.registrations.exists() or not event.registration_enabled:
        return 0
    capacity = event.capacity or 40
    sessions = list(event.ordered_sessions())
    if past:
        plan = [RegistrationStatus.ATTENDED] * int(capacity * 0.6) + [RegistrationStatus.CONFIRMED] * 3
    elif event.event_type == "visite":  # a full event with people waiting
        plan = [RegistrationStatus.CONFIRMED] * capacity + [RegistrationStatus.WAITLISTED] * 4
    else:
        plan = [RegistrationStatus.CONFIRMED] * int(capacity * 0.5) + [RegistrationStatus.CANCELLED] * 2
        if event.approval_required:
            plan += [RegistrationStatus.PENDING] * 3
    people = _people(len(plan), rng)
    now = timezone.now()
    rows = []
    for number, (status, (user, first, last, email)) in enumerate(zip(plan, people, strict=True)):
        rows.append(
            Registration(
                event=event,
                status=status,
                first_name=first,
                last_name=last,
                email=email.lower(),
                user=user,
                organisation=f"Ville {de(rng.choice(['Cambrai', 'Auxerre', 'Dieppe', 'Vierzon', 'Millau']))}",
                role=rng.choice(ROLES),
                consent_at=now,
                confirmed_at=now if status in Registration.HOLDING else None,
                waitlisted_at=now + datetime.timedelta(seconds=number)
                if status == RegistrationStatus.WAITLISTED
                else None,
                cancelled_at=now if status == RegistrationStatus.CANCELLED else None,
                cancel_reason="attendee" if status == RegistrationStatus.CANCELLED else "",
                checked_in_at=event.start if status == RegistrationStatus.ATTENDED else None,
                answers={"dejeuner": "oui"} if sessions else {},
            )
        )
    Registration.objects.bulk_create(rows)
    if sessions:
        # Everyone attends the plenaries and one workshop per time slot, within each workshop's capacity.
        created = list(event.registrations.order_by("pk"))
        Link = Registration.sessions.through
        links, taken = [], {s.pk: 0 for s in sessions}
        slots = {}
        for session in sessions:
            slots.setdefault(session.start, []).append(session)
        for position, registration in enumerate(created):
            for _start, group in sorted(slots.items()):
                choices = group[position % len(group) :] + group[: position % len(group)]
                for session in choices:
                    if session.capacity is None or taken[session.pk] < session.capacity or not registration.holds_seat:
                        links.append(Link(registration_id=registration.pk, eventsession_id=session.pk))
                        if registration.holds_seat:
                            taken[session.pk] += 1
                        break
        Link.objects.bulk_create(links)
    return len(rows)


def _assises(index, commune, day, thematics):
    slug = f"assises-du-centre-ville-{day.year}"
    page = EventPage.objects.child_of(index).filter(slug=slug).first()
    if page is not None:
        return page, False
    page = EventPage(
        title=f"Assises du Centre-Ville {day.year}",
        slug=slug,
        locale=index.locale,
        event_type="assises",
        format="hybride",
        start=_at(day, 9, 30),
        end=_at(day, 17, 30),
        summary="La grande journée annuelle du réseau : une plénière, des ateliers en parallèle le matin et "
        "l'après-midi, des retours d'expérience de villes de toutes tailles.",
        venue="Palais des congrès",
        address="2 avenue des Congrès",
        commune=commune,
        online_url="https://visio.example.org/assises",
        capacity=300,
        waitlist_enabled=True,
        organiser_email="assises@centralites.example.org",
        agenda=[
            {
                "type": "item",
                "value": {"time": "09:30", "title": "Plénière d'ouverture", "speakers": "", "description": ""},
            },
            {
                "type": "item",
                "value": {"time": "11:00", "title": "Ateliers en parallèle", "speakers": "", "description": ""},
            },
            {
                "type": "item",
                "value": {"time": "14:00", "title": "Ateliers de l'après-midi", "speakers": "", "description": ""},
            },
            {
                "type": "item",
                "value": {"time": "16:00", "title": "Plénière de clôture", "speakers": "", "description": ""},
            },
        ],
    )
    specs = [
        ("Plénière d'ouverture : dix ans de revitalisation", "pleniere", (9, 30), (10, 30), None, "Grand amphithéâtre"),
        ("Atelier A : commerce et vacance", "atelier", (11, 0), (12, 30), 40, "Salle 1"),
        ("Atelier B : habiter le centre ancien", "atelier", (11, 0), (12, 30), 40, "Salle 2"),
        ("Atelier C : mobilités douces", "atelier", (11, 0), (12, 30), 30, "Salle 3"),
        ("Atelier D : îlots de fraîcheur", "atelier", (14, 0), (15, 30), 40, "Salle 1"),
        ("Atelier E : le métier de manager de centre-ville", "atelier", (14, 0), (15, 30), 40, "Salle 2"),
        ("Plénière de clôture", "pleniere", (16, 0), (17, 0), None, "Grand amphithéâtre"),
    ]
    for order, (title, kind, start, end, capacity, room) in enumerate(specs):
        page.sessions.add(
            EventSession(
                title=title,
                kind=kind,
                start=_at(day, *start),
                end=_at(day, *end),
                capacity=capacity,
                room=room,
                sort_order=order,
            )
        )
    page.questions.add(
        EventQuestion(key="dejeuner", label="Déjeunerez-vous sur place ?", kind="yes-no", required=True, sort_order=0)
    )
    page.questions.add(
        EventQuestion(
            key="regime",
            label="Régime alimentaire particulier",
            kind="text",
            condition_key="dejeuner",
            condition_value="oui",
            sort_order=1,
        )
    )
    index.add_child(instance=page)
    page.thematics.set(thematics)
    page.save_revision().publish()
    return page, True


def build_events(index, count, seed, stdout=None):
    rng = random.Random(seed)
    fr = index.locale
    thematics = {t.slug: t for t in Thematic.objects.filter(locale=fr)}
    communes = list(Commune.objects.filter(kind=Commune.Kind.CURRENT).order_by("-population")[:40]) or list(
        Commune.objects.all()[:40]
    )
    today = timezone.localdate()
    created = registrations = 0
    if count <= 0:
        return 0, 0
    # One Assises in the coming months; the others alternate between past and upcoming dates.
    assises_commune = communes[0] if communes else None
    assises, made = _assises(
        index, assises_commune, today + datetime.timedelta(days=75), [t for t in thematics.values()][:3]
    )
    created += made
    registrations += _add_registrations(EventPage.objects.get(pk=assises.pk), rng, past=False)
    for number in range(count - 1):
        kind, fmt, title, summary, theme_slugs, capacity, hours = ARCHETYPES[number % len(ARCHETYPES)]
        past = number % 3 == 2
        offset = -(20 + number * 9) if past else 7 + number * 6
        day = today + datetime.timedelta(days=offset)
        commune = communes[(number * 7) % len(communes)] if communes and fmt != "en-ligne" else None
        place = commune.name if commune else ""
        page_title = title.format(de=de(place), a=a(place)) if place else title.format(de="", a="").strip()
        slug = slugify(f"{page_title}-{day:%Y-%m}")[:70]
        page = EventPage.objects.child_of(index).filter(slug=slug).first()
        if page is None:
            start = _at(day, 9 if hours > 2 else 14, 30 if hours > 2 else 0)
            page = EventPage(
                title=page_title,
                slug=slug,
                locale=fr,
                event_type=kind,
                format=fmt,
                start=start,
                end=start + datetime.timedelta(hours=hours),
                summary=summary,
                venue="Hôtel de ville" if fmt != "en-ligne" else "",
                address="Place de l'Hôtel de Ville" if fmt != "en-ligne" else "",
                commune=commune,
                online_url="https://visio.example.org/reseau" if fmt != "presentiel" else "",
                capacity=capacity,
                audience="members" if kind == "formation" else "public",
                approval_required=kind == "rencontre-regionale",
                waitlist_enabled=kind != "webinaire",
                registration_closes_at=start - datetime.timedelta(days=1),
                body=[
                    {
                        "type": "paragraph",
                        "value": f"<p>{summary}</p><p>L'inscription est gratuite et obligatoire. Les supports "
                        "sont partagés après l'événement.</p>",
                    }
                ],
            )
            page.speakers.add(
                EventSpeaker(
                    name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    role=rng.choice(ROLES),
                    organisation="Ville partenaire",
                )
            )
            if kind == "atelier":
                page.questions.add(
                    EventQuestion(
                        key="question", label="Quelle question aimeriez-vous voir traitée ?", kind="long", sort_order=0
                    )
                )
            index.add_child(instance=page)
            page.thematics.set([thematics[s] for s in theme_slugs if s in thematics])
            page.save_revision().publish()
            created += 1
        registrations += _add_registrations(EventPage.objects.get(pk=page.pk), rng, past=past)
    if stdout:
        stdout.write(f"  {created} événement(s) créé(s), {registrations} inscription(s).")
    return created, registrations


def load_demo(home, sizes, seed, stdout):
    stdout.write("Événements (agenda, Assises, inscriptions)…")
    index = build_index(home)
    build_events(index, sizes.get("events", 15), seed, stdout)
