"""Demo directory: organisations of every kind on real communes, members in every role and visibility.

Names are generated from common French first and last names; addresses use the reserved `.example`
domain so no demo email can reach anyone.
"""

import random

from django.contrib.auth import get_user_model
from django.db import transaction

from hub.demo import de, ensure_index, translate_index
from hub.models import Commune, Programme, Thematic
from network.models import Application, Member, MemberIndexPage, Organisation, Role, Visibility

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
    communes = _communes(rng, count)
    organisations = []
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
        organisation = Organisation.objects.filter(name=name).first()
        if organisation is None:
            organisation = Organisation.objects.create(
                name=name,
                kind=kind,
                commune=commune,
                epci=epci if kind == Organisation.Kind.EPCI else None,
                website=f"https://{commune.slug}.example/" if kind == Organisation.Kind.COMMUNE else "",
            )
        organisations.append((organisation, roles, commune))
    return organisations


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
    """`count` members (idempotent: keyed by their demo address), across roles, organisations, visibilities."""
    User = get_user_model()
    rng = random.Random(seed + 5)
    organisations = build_organisations(rng, max(3, count // 3))
    programmes = {p.slug: p for p in Programme.objects.filter(locale__language_code="fr")}
    thematics = list(Thematic.objects.filter(locale__language_code="fr").order_by("sort_order"))
    created = 0
    for number in range(count):
        first = FIRST_NAMES[(number * 7 + seed) % len(FIRST_NAMES)]
        last = LAST_NAMES[(number * 11 + seed) % len(LAST_NAMES)]
        email = f"{_ascii(first)}.{_ascii(last)}.{number + 1}@{DEMO_DOMAIN}"
        if User.objects.filter(username=email).exists():
            continue
        organisation, roles, commune = organisations[number % len(organisations)]
        role = roles[number % len(roles)]
        user = User(username=email, email=email, first_name=first, last_name=last, is_active=True)
        user.set_unusable_password()
        user.save()
        member = Member.objects.create(
            user=user,
            first_name=first,
            last_name=last,
            role=role,
            job_title=rng.choice(JOB_TITLES[role]),
            organisation=organisation,
            commune=commune,
            visibility=VISIBILITY_PATTERN[number % len(VISIBILITY_PATTERN)],
            # One member in thirteen has not (yet) agreed to appear: listed nowhere, whatever the visibility.
            consent_to_appear=number % 13 != 12,
            phone=f"03 22 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            accepts_messages=number % 6 != 5,
        )
        chosen = rng.sample(thematics, k=min(len(thematics), rng.randint(1, 3))) if thematics else []
        member.bio = _bio(rng, role, commune, chosen)
        member.save(update_fields=["bio"])
        member.thematics.set(chosen)
        slugs = set(commune.programmes.values_list("slug", flat=True)) or {"pvd"}
        member.programmes.set([programmes[s] for s in slugs if s in programmes])
        member.tags.set(rng.sample(TAGS, k=2))
        created += 1
    return created


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
    from django.utils.text import slugify

    return slugify(text).replace("-", "")


def build(home, count, seed, stdout):
    stdout.write(f"Annuaire : {count} membres…")
    build_index(home)
    created = build_members(count, seed)
    build_applications(seed)
    stdout.write(f"  {created} membres créés.")
