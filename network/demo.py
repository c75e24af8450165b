"""Demo directory: organisations of every kind on real communes, members in every role and visibility.

Names are generated from common French first and last names; addresses use the reserved `.example`
domain so no demo email can reach anyone.
"""

import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from hub.cache import renew_scopes
from hub.demo import de, ensure_index, search_index_bulk, translate_index
from hub.models import Commune, Programme, Thematic
from network.listing import DIRECTORY_SCOPE
from network.models import (
    RESERVED_SLUGS,
    Application,
    Member,
    MemberIndexPage,
    MemberTag,
    Organisation,
    Role,
    Visibility,
    unique_slugs,
)

FIRST_NAMES = [
    "Camille", "Léa", "Manon", "Chloé", "Inès", "Sarah", "Julie", "Claire", "Anne", "Sophie", "Nadia", "Élodie",
    "Hélène", "Aurélie", "Mathilde", "Thomas", "Nicolas", "Julien", "Karim", "Antoine", "Pierre", "Mehdi",
    "Olivier", "François", "Vincent", "Hugo", "Lucas", "Yann", "Bruno", "Damien",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
    "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand",
    "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin",
]  # fmt: skip
TAGS = [
    "halles", "vitrines vacantes", "foncière commerciale", "stationnement", "piétonnisation", "marché",
    "habitat ancien", "îlots de fraîcheur", "signalétique", "boutique à l'essai", "tiers-lieu", "FIMACS",
]  # fmt: skip

# Organisation kinds, each with how its name is built and which roles its people have.
KIND_PLAN = [
    (Organisation.Kind.COMMUNE, "Ville {de_commune}", [Role.MANAGER, Role.ELECTED, Role.TECHNICAL]),
    (Organisation.Kind.EPCI, "{epci}", [Role.TECHNICAL, Role.ELECTED]),
    (Organisation.Kind.TRADERS, "Association des commerçants {de_commune}", [Role.FEDERATION]),
    (Organisation.Kind.CHAMBER, "CCI {de_department}", [Role.FEDERATION, Role.PARTNER]),
    (Organisation.Kind.CHAMBER, "Chambre de métiers et de l'artisanat {de_department}", [Role.FEDERATION]),
    (Organisation.Kind.FEDERATION, "Fédération des unions commerciales {de_department}", [Role.FEDERATION]),
    (Organisation.Kind.INSTITUTION, "Agence départementale d'ingénierie {de_department}", [Role.PARTNER]),
    (Organisation.Kind.CONSULTANCY, "Atelier Cœurs de villes {commune}", [Role.PARTNER]),
]
JOB_TITLES = {
    Role.MANAGER: ["Manager de centre-ville", "Manageuse du commerce", "Chargé de mission centre-ville"],
    Role.ELECTED: ["Maire", "Adjointe au commerce", "Adjoint à l'urbanisme", "Conseillère déléguée au centre-ville"],
    Role.TECHNICAL: ["Cheffe de projet Action cœur de ville", "Chef de projet Petites villes de demain", "Urbaniste"],
    Role.FEDERATION: ["Président", "Chargée de développement commercial", "Déléguée générale"],
    Role.PARTNER: ["Chargé d'études", "Directrice de projets", "Conseiller en revitalisation"],
}
# Per ten members: five public, three for members only, two hidden.
VISIBILITY_PATTERN = [Visibility.PUBLIC] * 5 + [Visibility.MEMBERS] * 3 + [Visibility.HIDDEN] * 2

DEMO_DOMAIN = "reseau.example"
# Rows per bulk insert or search-indexing batch.
BATCH = 1000


def build_index(home):
    index = ensure_index(
        MemberIndexPage,
        home,
        "Annuaire du réseau",
        "annuaire",
        "Managers de centre-ville, élu·es, technicien·nes, fédérations et partenaires : trouvez qui mène quoi, "
        "près de chez vous ou sur le même sujet, et écrivez-leur.",
    )
    translate_index(
        index,
        "Network directory",
        "directory",
        "Town-centre managers, elected officials, officers, federations and partners of the programmes.",
    )
    return index


def _communes(rng, count):
    current = Commune.objects.filter(kind=Commune.Kind.CURRENT).exclude(department=None)
    towns = list(current.filter(programmes__slug="acv").select_related("department", "epci", "ept")[:300])
    if len(towns) < count:
        towns += list(current.select_related("department", "epci", "ept").order_by("-population")[: count * 2])
    rng.shuffle(towns)
    return towns or list(Commune.objects.all()[:1])


def build_organisations(rng, count):
    """`count` organisations on real communes (existing ones, found by name, are reused): a few bulk queries."""
    communes = _communes(rng, count)
    planned = []
    for number in range(count):
        kind, pattern, roles = KIND_PLAN[number % len(KIND_PLAN)]
        commune = communes[number % len(communes)]
        department = commune.department
        epci = commune.ept or commune.epci
        if kind == Organisation.Kind.EPCI and epci is None:
            kind, pattern, roles = KIND_PLAN[0]
        name = pattern.format(
            commune=commune.name,
            de_commune=de(commune.name),
            de_department=de(department.name) if department else "",
            epci=epci.name if epci else "",
        ).strip()
        planned.append((name, kind, roles, commune, epci))
    by_name = {}
    names = sorted({name for name, *_rest in planned})
    for start in range(0, len(names), 500):
        for organisation in Organisation.objects.filter(name__in=names[start : start + 500]).order_by("pk"):
            by_name.setdefault(organisation.name, organisation)
    new = {}
    for name, kind, _roles, commune, epci in planned:
        if name not in by_name and name not in new:
            new[name] = Organisation(
                name=name,
                kind=kind,
                commune=commune,
                epci=epci if kind == Organisation.Kind.EPCI else None,
                website=f"https://{commune.slug}.example/" if kind == Organisation.Kind.COMMUNE else "",
            )
    if new:
        created = list(new.values())
        for organisation, slug in zip(created, unique_slugs(Organisation, list(new)), strict=True):
            organisation.slug = slug
        Organisation.objects.bulk_create(created, batch_size=BATCH)
        if created[0].pk is None:  # a backend that does not return ids
            ids = dict(Organisation.objects.filter(slug__in=[o.slug for o in created]).values_list("slug", "pk"))
            for organisation in created:
                organisation.pk = ids[organisation.slug]
        by_name.update(new)
        _index(Organisation, [o.pk for o in created])
    return [(by_name[name], roles, commune) for name, _kind, roles, commune, _epci in planned]


def _index(model, pks, related=()):
    """Search-indexes rows created in bulk (bulk_create sends no signal), as saving each would have."""
    for start in range(0, len(pks), BATCH):
        search_index_bulk(model, list(model.objects.filter(pk__in=pks[start : start + BATCH]).select_related(*related)))


def _bio(rng, role, commune, thematics):
    subjects = ", ".join(t.name.lower() for t in thematics) or "la revitalisation du centre-ville"
    openings = {
        Role.MANAGER: f"Je fais le lien entre la mairie, les commerçants et les propriétaires à {commune.name}.",
        Role.ELECTED: f"Élu·e à {commune.name}, je porte le projet de centre-ville devant le conseil municipal.",
        Role.TECHNICAL: f"J'anime la convention de revitalisation et le comité de projet à {commune.name}.",
        Role.FEDERATION: "J'accompagne les commerçants et artisans dans leurs projets d'installation.",
        Role.PARTNER: "J'accompagne les collectivités dans les études et le montage des opérations.",
    }
    closing = rng.choice(
        [
            "Je partage volontiers nos outils et nos erreurs.",
            "Disponible pour échanger avec les villes qui démarrent.",
            "Intéressé·e par les retours d'expérience d'autres territoires.",
        ]
    )
    return f"{openings[role]} Sujets de prédilection : {subjects}. {closing}"


@transaction.atomic
def build_members(count, seed):
    """`count` members (idempotent: keyed by their demo address), across roles, organisations, visibilities.

    Users, profiles and their links are inserted in bulk, slugs numbered in memory (`unique_slugs`):
    5,000 members take seconds, not the quarter of an hour one save each took. The content is the same,
    drawn from the same random sequence.
    """
    User = get_user_model()
    rng = random.Random(seed + 5)
    organisations = build_organisations(rng, max(3, count // 3))
    programmes = {p.slug: p for p in Programme.objects.filter(locale__language_code="fr")}
    thematics = list(Thematic.objects.filter(locale__language_code="fr").order_by("sort_order"))
    communes = {commune.pk for _organisation, _roles, commune in organisations}
    commune_programmes = {}
    for commune_id, slug in Commune.programmes.through.objects.filter(commune_id__in=communes).values_list(
        "commune_id", "programme__slug"
    ):
        commune_programmes.setdefault(commune_id, set()).add(slug)
    emails = []
    for number in range(count):
        first = FIRST_NAMES[(number * 7 + seed) % len(FIRST_NAMES)]
        last = LAST_NAMES[(number * 11 + seed) % len(LAST_NAMES)]
        emails.append((number, first, last, f"{_ascii(first)}.{_ascii(last)}.{number + 1}@{DEMO_DOMAIN}"))
    existing = set()
    for start in range(0, len(emails), BATCH):
        chunk = [email for *_rest, email in emails[start : start + BATCH]]
        existing.update(User.objects.filter(username__in=chunk).values_list("username", flat=True))

    now = timezone.now()
    users, members, links = [], [], []
    for number, first, last, email in emails:
        if email in existing:
            continue
        organisation, roles, commune = organisations[number % len(organisations)]
        role = roles[number % len(roles)]
        user = User(username=email, email=email, first_name=first, last_name=last, is_active=True)
        user.set_unusable_password()
        consent = number % 13 != 12  # one member in thirteen has not (yet) agreed to appear: listed nowhere
        member = Member(
            first_name=first,
            last_name=last,
            role=role,
            job_title=rng.choice(JOB_TITLES[role]),
            organisation=organisation,
            commune=commune,
            department_id=commune.department_id,
            visibility=VISIBILITY_PATTERN[number % len(VISIBILITY_PATTERN)],
            consent_to_appear=consent,
            consent_at=now if consent else None,
            phone=f"03 22 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            accepts_messages=number % 6 != 5,
        )
        chosen = rng.sample(thematics, k=min(len(thematics), rng.randint(1, 3))) if thematics else []
        member.bio = _bio(rng, role, commune, chosen)
        slugs = commune_programmes.get(commune.pk) or {"pvd"}
        links.append(
            (
                member,
                [t.pk for t in chosen],
                [programmes[s].pk for s in slugs if s in programmes],
                rng.sample(TAGS, k=2),
            )
        )
        users.append(user)
        members.append(member)
    if not members:
        return 0

    User.objects.bulk_create(users, batch_size=BATCH)
    if users[0].pk is None:  # a backend that does not return ids
        ids = dict(User.objects.filter(username__in=[u.username for u in users]).values_list("username", "pk"))
        for user in users:
            user.pk = ids[user.username]
    for member, user, slug in zip(
        members, users, unique_slugs(Member, [m.full_name for m in members], reserved=RESERVED_SLUGS), strict=True
    ):
        member.user, member.slug = user, slug
    Member.objects.bulk_create(members, batch_size=BATCH)
    if members[0].pk is None:
        ids = dict(Member.objects.filter(slug__in=[m.slug for m in members]).values_list("slug", "pk"))
        for member in members:
            member.pk = ids[member.slug]

    tag_names = sorted({name for *_rest, names in links for name in names})
    tags = {tag.name: tag for tag in Tag.objects.filter(name__in=tag_names)}
    for name in tag_names:
        if name not in tags:
            tags[name] = Tag.objects.create(name=name)
    ThematicLink, ProgrammeLink = Member.thematics.through, Member.programmes.through
    ThematicLink.objects.bulk_create(
        [ThematicLink(member_id=m.pk, thematic_id=t) for m, ts, _p, _n in links for t in ts],
        batch_size=BATCH,
    )
    ProgrammeLink.objects.bulk_create(
        [ProgrammeLink(member_id=m.pk, programme_id=p) for m, _t, ps, _n in links for p in ps],
        batch_size=BATCH,
    )
    MemberTag.objects.bulk_create(
        [MemberTag(content_object_id=m.pk, tag=tags[n]) for m, _t, _p, ns in links for n in ns],
        batch_size=BATCH,
    )
    _index(Member, [m.pk for m in members], related=("organisation", "commune"))
    renew_scopes([DIRECTORY_SCOPE])  # what the members' post_save signals would have done
    return len(members)


def build_applications(seed):
    """A few applications waiting for a moderator, so the admin has something to decide."""
    if Application.objects.filter(email__endswith=f"@{DEMO_DOMAIN}", status=Application.Status.PENDING).exists():
        return
    rng = random.Random(seed + 9)
    commune = _communes(rng, 1)[0]
    for number, (first, last, role, organisation, kind) in enumerate(
        [
            ("Agathe", "Lemoine", Role.MANAGER, f"Ville {de(commune.name)}", Organisation.Kind.COMMUNE),
            ("Samir", "Benali", Role.FEDERATION, "Les Vitrines du centre", Organisation.Kind.TRADERS),
            ("Margaux", "Chevalier", Role.PARTNER, "Atelier Places et rues", Organisation.Kind.CONSULTANCY),
        ]
    ):
        Application.objects.create(
            first_name=first,
            last_name=last,
            email=f"{_ascii(first)}.{_ascii(last)}.candidature{number}@{DEMO_DOMAIN}",
            role=role,
            job_title=rng.choice(JOB_TITLES[role]),
            organisation_name=organisation,
            organisation_kind=kind,
            commune=commune,
            motivation="Nous lançons notre projet de centre-ville et voulons échanger avec des villes plus avancées.",
            visibility=Visibility.MEMBERS,
            consent_to_appear=True,
        )


def _ascii(text):
    return slugify(text).replace("-", "")


def build(home, count, seed, stdout):
    stdout.write(f"Annuaire : {count} membres…")
    build_index(home)
    created = build_members(count, seed)
    build_applications(seed)
    stdout.write(f"  {created} membres créés.")
