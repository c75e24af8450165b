"""Demo content for the Projétothèque and the resource library: varied, believable, idempotent.

Projects are spread over the real Action cœur de ville towns first, then over other communes, with
programmes consistent with each town (ACV towns, small towns for PVD, Grand Paris towns for CVV).
"""

import datetime
import random
import uuid
from decimal import Decimal
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.files.images import ImageFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from modelcluster.models import get_all_child_relations
from taggit.models import Tag
from wagtail.images import get_image_model
from wagtail.models import Locale, Page, ReferenceIndex

from hub.demo import a, de, list_items, search_index_bulk, translate_index
from hub.demo import ensure_index as _ensure_index
from hub.models import Commune, Department, Programme, Thematic
from resources.aid_demo import build_aids, funding_aid_finder
from resources.models import (
    ProjectFundingLine,
    ProjectGalleryImage,
    ProjectIndexPage,
    ProjectPage,
    ProjectPartner,
    ProjectStatus,
    ProjectTag,
    ResourceIndexPage,
    ResourcePage,
)

IMAGES_DIR = Path(__file__).resolve().parent / "demo_images"

# (slug, title pattern, thematics, tags, summary, context, actions, results, vigilance, cost range)
ARCHETYPES = [
    (
        "halles",
        "Réhabilitation des halles {de}",
        ["commerce", "espaces-publics"],
        ["marché", "patrimoine"],
        "Les halles du XIXe siècle, fermées depuis dix ans, retrouvent un marché couvert, des producteurs locaux et un espace de restauration ouvert le soir.",
        "Le bâtiment, propriété communale, se dégradait et coupait la rue commerçante en deux.",
        "Diagnostic structurel, concours de maîtrise d'œuvre, consultation des commerçants non sédentaires, travaux en deux tranches pour maintenir le marché.",
        "Fréquentation du centre en hausse les jours de marché, douze étals permanents, trois emplois créés dans la restauration.",
        "Prévoir dès l'origine la gestion du lieu : horaires, nettoyage, sécurité.",
        (900_000, 4_500_000),
    ),
    (
        "manager",
        "Un manager de centre-ville pour {commune}",
        ["management-centre-ville", "commerce"],
        ["manager de centre-ville", "vacance commerciale"],
        "La commune et l'intercommunalité recrutent un manager de centre-ville qui fait le lien entre commerçants, propriétaires et services municipaux.",
        "Le taux de vacance commerciale dépassait 15 % et l'union commerciale s'essoufflait.",
        "Recrutement cofinancé, observatoire des locaux vacants, animation d'une boutique à l'essai, calendrier d'animations partagé.",
        "Vacance ramenée sous 10 % en trois ans, une vingtaine d'installations accompagnées.",
        "Le poste doit être pérennisé au-delà du cofinancement initial.",
        (60_000, 180_000),
    ),
    (
        "facades",
        "Opération façades dans le cœur {de}",
        ["habitat", "espaces-publics"],
        ["façades", "patrimoine", "subventions"],
        "Une aide aux propriétaires pour ravaler les façades et refaire les devantures des rues principales, avec un architecte-conseil.",
        "Les façades dégradées donnaient une image de déclin et décourageaient les porteurs de projet.",
        "Périmètre défini avec l'architecte des Bâtiments de France, règlement d'aide, permanences de conseil, campagne de communication.",
        "Plus de soixante façades rénovées, effet d'entraînement sur les rues voisines.",
        "Les copropriétés dégradées demandent un accompagnement plus long.",
        (300_000, 1_200_000),
    ),
    (
        "boutique-essai",
        "Boutique à l'essai {a}",
        ["commerce"],
        ["boutique à l'essai", "vacance commerciale", "création d'entreprise"],
        "Un local commercial vacant est loué à loyer modéré à un créateur qui teste son activité pendant six mois avec un accompagnement.",
        "Des locaux vides en rez-de-chaussée et des créateurs qui n'osaient pas s'installer.",
        "Bail dérogatoire négocié avec le propriétaire, appel à candidatures, accompagnement par la chambre de commerce.",
        "Quatre commerces installés durablement sur cinq tests.",
        "Choisir des locaux bien placés, sinon l'essai ne prouve rien.",
        (20_000, 90_000),
    ),
    (
        "pietonnisation",
        "Piétonnisation de la rue principale {de}",
        ["mobilites", "espaces-publics"],
        ["piétonnisation", "mobilités douces"],
        "La rue commerçante devient piétonne aux heures d'affluence, avec un nouveau plan de stationnement et des livraisons organisées.",
        "Trafic de transit, trottoirs étroits, terrasses impossibles.",
        "Expérimentation estivale, comptages, concertation avec les riverains et les commerçants, aménagement définitif.",
        "Terrasses multipliées par trois, chiffre d'affaires stable ou en hausse selon les commerçants interrogés.",
        "L'accès des personnes à mobilité réduite et des livraisons doit être réglé avant l'aménagement.",
        (400_000, 2_500_000),
    ),
    (
        "logements-vacants",
        "Reconquête des logements vacants du centre {de}",
        ["habitat"],
        ["logement", "OPAH-RU", "vacance"],
        "Une opération programmée d'amélioration de l'habitat cible les étages vacants au-dessus des commerces.",
        "Un logement sur cinq était vacant dans le centre ancien, souvent au-dessus de boutiques.",
        "Repérage des immeubles, aides aux travaux, création d'accès indépendants aux étages, partenariat avec un bailleur.",
        "Une centaine de logements remis sur le marché, dont un tiers en loyer conventionné.",
        "Les accès séparés aux étages coûtent cher : à anticiper dans le plan de financement.",
        (1_000_000, 6_000_000),
    ),
    (
        "france-services",
        "Maison France Services en cœur de ville {a}",
        ["equipements"],
        ["services publics", "tiers-lieu"],
        "Les permanences administratives s'installent dans un ancien bâtiment du centre, avec un espace numérique accompagné.",
        "Les services étaient dispersés en périphérie, peu accessibles sans voiture.",
        "Acquisition et rénovation du bâtiment, conventions avec les opérateurs, recrutement de deux conseillers.",
        "Plusieurs milliers de demandes traitées par an, nouveau flux de passage dans le centre.",
        "Penser la signalétique et les horaires avec les commerces voisins.",
        (350_000, 1_500_000),
    ),
    (
        "fonciere",
        "Une foncière pour les murs commerciaux {de}",
        ["commerce"],
        ["foncière", "immobilier commercial"],
        "La collectivité et ses partenaires achètent des murs commerciaux stratégiques pour choisir les activités qui s'y installent.",
        "Des loyers trop élevés et des propriétaires absents bloquaient les installations.",
        "Création d'une société foncière, acquisition de locaux, travaux, commercialisation ciblée.",
        "Une dizaine de cellules maîtrisées, arrivée d'une librairie et d'une épicerie de produits locaux.",
        "Les rendements sont faibles : la foncière doit accepter un horizon long.",
        (800_000, 5_000_000),
    ),
    (
        "berges",
        "Requalification des berges et du centre {de}",
        ["espaces-publics", "transition-ecologique"],
        ["nature en ville", "îlot de fraîcheur"],
        "Les quais, occupés par du stationnement, deviennent une promenade plantée reliée à la place centrale.",
        "Une rivière tournée vers l'arrière des maisons et des parkings en bord d'eau.",
        "Désimperméabilisation, plantations, cheminements, gestion des crues, animations estivales.",
        "Un lieu de promenade fréquenté, plusieurs degrés de moins en été sur les quais.",
        "La gestion et l'arrosage des plantations doivent être budgétés.",
        (700_000, 3_500_000),
    ),
    (
        "cinema",
        "Réouverture du cinéma du centre {de}",
        ["culture-tourisme", "equipements"],
        ["culture", "équipement structurant"],
        "Le cinéma de centre-ville, fermé, rouvre avec trois salles et une programmation associative.",
        "La fermeture du cinéma avait vidé le centre en soirée.",
        "Rachat, travaux d'accessibilité, délégation de service public, partenariats avec les écoles.",
        "Fréquentation supérieure aux prévisions, restaurants voisins ouverts plus tard.",
        "Le modèle économique repose sur la fidélisation : associer le public dès le chantier.",
        (1_500_000, 5_000_000),
    ),
    (
        "signaletique",
        "Parcours et signalétique du patrimoine {a}",
        ["culture-tourisme", "espaces-publics"],
        ["tourisme", "patrimoine", "signalétique"],
        "Un parcours jalonné relie les monuments, les commerces et les parkings, avec des contenus en plusieurs langues.",
        "Les visiteurs restaient autour du monument principal sans découvrir les rues commerçantes.",
        "Inventaire, conception avec l'office de tourisme, pose de mobilier, application de visite.",
        "Les commerçants des rues secondaires constatent davantage de passage.",
        "Limiter le nombre de panneaux pour ne pas encombrer l'espace public.",
        (80_000, 400_000),
    ),
    (
        "mobilite-douce",
        "Réseau cyclable vers le centre {de}",
        ["mobilites", "transition-ecologique"],
        ["vélo", "mobilités douces"],
        "Des itinéraires cyclables continus relient les quartiers et la gare au centre, avec des stationnements vélo devant les commerces.",
        "Le centre n'était accessible confortablement qu'en voiture.",
        "Schéma cyclable, aménagements, arceaux, location de vélos électriques.",
        "Part modale du vélo multipliée par deux sur les trajets vers le centre.",
        "Les commerçants craignaient la perte de places : les associer aux comptages.",
        (500_000, 3_000_000),
    ),
    (
        "tiers-lieu",
        "Un tiers-lieu dans l'ancienne poste {de}",
        ["equipements", "commerce"],
        ["tiers-lieu", "coworking"],
        "L'ancien bureau de poste accueille un espace de travail partagé, un café associatif et des ateliers.",
        "Un bâtiment vide au centre et des indépendants sans lieu de travail.",
        "Acquisition, programmation participative, travaux légers, gestion confiée à une association.",
        "Une quarantaine d'abonnés au coworking, des ateliers chaque semaine.",
        "La gouvernance associative doit être claire dès le départ.",
        (250_000, 1_000_000),
    ),
    (
        "renovation-energetique",
        "Rénovation énergétique des logements du centre {de}",
        ["habitat", "transition-ecologique"],
        ["rénovation énergétique", "logement"],
        "Un accompagnement renforcé aide les propriétaires du centre ancien à isoler sans dénaturer le bâti.",
        "Des logements anciens énergivores que leurs occupants quittaient.",
        "Guichet unique, diagnostics gratuits, aides cumulées, formation des artisans aux techniques adaptées au bâti ancien.",
        "Deux cents ménages accompagnés, factures réduites d'un tiers en moyenne.",
        "Les matériaux doivent respecter le bâti ancien : associer l'architecte-conseil.",
        (400_000, 2_000_000),
    ),
    (
        "place-centrale",
        "Réaménagement de la place centrale {de}",
        ["espaces-publics"],
        ["place publique", "terrasses"],
        "La place, devenue parking, redevient un lieu de rencontre avec terrasses, jeux d'eau et arbres.",
        "Une place minérale occupée par le stationnement.",
        "Concertation, stationnement reporté à proximité, travaux phasés pour les commerces.",
        "Nouveaux commerces de bouche, marché de plein air agrandi.",
        "Le phasage des travaux conditionne la survie des commerces pendant le chantier.",
        (800_000, 4_000_000),
    ),
    (
        "marche-nocturne",
        "Marchés nocturnes et animations d'été {a}",
        ["culture-tourisme", "management-centre-ville"],
        ["animation", "marché", "événementiel"],
        "Des marchés de producteurs et d'artisans le jeudi soir, tout l'été, avec concerts et commerces ouverts.",
        "Le centre se vidait après 19 h, les habitants partaient vers la zone commerciale.",
        "Programmation avec l'union commerciale, arrêtés de circulation, communication commune.",
        "Affluence régulière, commerces ouverts plus tard, nouveaux exposants chaque année.",
        "Le bénévolat s'épuise : prévoir un appui technique municipal.",
        (30_000, 120_000),
    ),
]

FUNDERS = {
    "acv": ["Banque des Territoires", "Action Logement", "Anah", "État (DSIL)"],
    "pvd": ["Banque des Territoires", "État (DETR)", "Anah", "Conseil départemental"],
    "cvv": ["Métropole du Grand Paris (FIMACS)", "Banque des Territoires", "Région Île-de-France"],
    None: ["Région", "Conseil départemental", "Europe (FEDER)"],
}
PARTNERS = [
    ("Chambre de commerce et d'industrie", "accompagnement des commerçants"),
    ("Chambre de métiers et de l'artisanat", "accompagnement des artisans"),
    ("CAUE", "conseil architectural"),
    ("Établissement public foncier", "portage foncier"),
    ("Union commerciale", "animation"),
    ("Office de tourisme", "promotion"),
    ("Bailleur social", "maîtrise d'ouvrage des logements"),
]
FIRST_NAMES = ["Claire", "Julien", "Sophie", "Karim", "Nathalie", "Thomas", "Aurélie", "Mehdi", "Isabelle", "Antoine"]
LAST_NAMES = ["Martin", "Bernard", "Moreau", "Benali", "Lefèvre", "Garnier", "Roux", "Fontaine", "Chevalier", "Nguyen"]
ROLES = [
    "manager de centre-ville",
    "cheffe de projet Action cœur de ville",
    "chef de projet Petites villes de demain",
    "directrice du développement économique",
    "adjoint au maire chargé du commerce",
]


def demo_images(owner=None):
    """The shipped illustrations as Wagtail images, created once."""
    Image = get_image_model()
    images = []
    for path in sorted(IMAGES_DIR.glob("*.jpg")):
        title = f"Illustration démo {path.stem}"
        image = Image.objects.filter(title=title).first()
        if image is None:
            with path.open("rb") as handle:
                image = Image(title=title, file=ImageFile(handle, name=path.name), uploaded_by_user=owner)
                image.save()
        images.append(image)
    return images


def _project_communes(rng, count):
    """ACV towns first (with coordinates), then smaller and Grand Paris communes for PVD and CVV."""
    current = Commune.objects.filter(kind=Commune.Kind.CURRENT).select_related("department")
    acv = list(current.filter(programmes__slug="acv").order_by("insee_code"))
    grand_paris = list(current.exclude(ept=None).exclude(programmes__slug="acv").order_by("insee_code"))
    small_towns = list(
        current.filter(population__gte=2500, population__lt=20000)
        .exclude(department=None)
        .exclude(programmes__slug="acv")
        .exclude(ept__isnull=False)
        .order_by("insee_code")
    )
    for group in (acv, grand_paris, small_towns):
        rng.shuffle(group)
    # Half in ACV towns, three in ten in small towns (PVD), two in ten in the Grand Paris (CVV).
    pattern = [acv, small_towns, acv, grand_paris, acv, small_towns, acv, grand_paris, acv, small_towns]
    used = {id(group): 0 for group in pattern}
    fallback = list(current[:50]) or list(Commune.objects.all()[:50])
    picked = []
    for number in range(count):
        group = pattern[number % len(pattern)] or acv or small_towns or grand_paris or fallback
        picked.append(group[used.setdefault(id(group), 0) % len(group)])
        used[id(group)] += 1
    return picked


def _programme_slugs_for(commune, by_commune):
    slugs = set(by_commune.get(commune.pk, ()))
    if commune.department_id and commune.department.code in {"75", "92", "93", "94"}:
        slugs.add("cvv")
    elif not slugs and commune.population and commune.population < 20000:
        slugs.add("pvd")
    return slugs


def _rich(text):
    return f"<p>{text}</p>"


def build_project_index(home):
    return _ensure_index(
        ProjectIndexPage,
        home,
        "Projétothèque",
        "projetotheque",
        "Des projets menés dans les villes des programmes, racontés par leurs équipes : ce qui a été fait, ce qui "
        "a marché, ce qu'il faut surveiller. Filtrez par thème, territoire ou taille de commune.",
    )


def build_resource_index(home):
    return _ensure_index(
        ResourceIndexPage,
        home,
        "Ressources",
        "ressources",
        "Guides, kits, fiches-conseils, études et replays pour mener un projet de revitalisation.",
    )


BULK_BATCH = 500


def bulk_add_projects(index, specs):
    """Adds project pages under `index` in a few bulk queries instead of one add_child per page.

    Builds the tree paths itself (Wagtail's pages are treebeard materialised-path nodes), inserts the
    base page rows with bulk_create, then the ProjectPage rows and every relation in bulk. Used by the
    demo and the 10,000-project benchmark, where add_child would take many minutes.
    """

    with transaction.atomic():
        index = Page.objects.select_for_update().get(pk=index.pk)
        last = index.get_last_child()
        next_step = (int(last.path[-Page.steplen :], 36) + 1) if last else 1
        content_type = ContentType.objects.get_for_model(ProjectPage)
        bases = []
        for offset, spec in enumerate(specs):
            page = spec["page"]
            step = next_step + offset
            page.path = index.path + Page._int2str(step).rjust(Page.steplen, "0")
            page.depth = index.depth + 1
            page.numchild = 0
            page.url_path = f"{index.url_path}{page.slug}/"
            page.content_type = content_type
            page.draft_title = page.title
            page.has_unpublished_changes = False
            page.translation_key = uuid.uuid4()
            base = Page(
                **{f.attname: getattr(page, f.attname) for f in Page._meta.concrete_fields if f.attname != "id"}
            )
            bases.append(base)
        Page.objects.bulk_create(bases)
        if bases[0].pk is None:  # backends that do not return ids: read them back by path
            ids = dict(Page.objects.filter(path__in=[b.path for b in bases]).values_list("path", "pk"))
            for base in bases:
                base.pk = ids[base.path]
        own_fields = [f for f in ProjectPage._meta.local_concrete_fields]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in own_fields)
        placeholders = ", ".join(["%s"] * len(own_fields))
        rows = []
        for spec, base in zip(specs, bases, strict=True):
            page = spec["page"]
            page.page_ptr_id = page.pk = base.pk
            rows.append([f.get_db_prep_save(getattr(page, f.attname), connection) for f in own_fields])
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {connection.ops.quote_name(ProjectPage._meta.db_table)} ({columns}) VALUES ({placeholders})",
                rows,
            )
        Page.objects.filter(pk=index.pk).update(numchild=index.numchild + len(specs))

        ProgrammeLink, ThematicLink = ProjectPage.programmes.through, ProjectPage.thematics.through
        ProgrammeLink.objects.bulk_create(
            [ProgrammeLink(projectpage_id=s["page"].pk, programme_id=p) for s in specs for p in s["programmes"]]
        )
        ThematicLink.objects.bulk_create(
            [ThematicLink(projectpage_id=s["page"].pk, thematic_id=t) for s in specs for t in s["thematics"]]
        )
        names = {name for s in specs for name in s["tags"]}
        tags = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
        for name in sorted(names - set(tags)):
            tags[name] = Tag.objects.create(name=name)
        ProjectTag.objects.bulk_create(
            [ProjectTag(content_object_id=s["page"].pk, tag=tags[name]) for s in specs for name in s["tags"]]
        )
        for relation in ("funding", "partners"):
            items = []
            for s in specs:
                for item in s[relation]:
                    item.page_id = s["page"].pk
                    item.locale_id = s["page"].locale_id
                    items.append(item)
            if items:
                type(items[0]).objects.bulk_create(items)
        ProjectGalleryImage.objects.bulk_create(
            [
                ProjectGalleryImage(
                    page_id=s["page"].pk,
                    locale_id=s["page"].locale_id,
                    image=s["image"],
                    alt="",
                    caption=f"Illustration : {s['page'].title}",
                )
                for s in specs
                if s["image"] is not None
            ]
        )
    index_bulk_pages(ProjectPage, [s["page"].pk for s in specs])
    return len(specs)


def index_bulk_pages(model, pks):
    """Search and reference index rows for pages inserted in bulk (no save, so no signal made them).

    The references are what `ReferenceIndex.create_or_update_for_object` records for a new page, read
    with its extractor from pages whose inline children are prefetched, and inserted in one query.
    """

    pages = list(
        model.objects.filter(pk__in=pks)
        .select_related("locale", "commune__department")
        .prefetch_related("tags", "thematics", "programmes")
        .prefetch_related(*(r.get_accessor_name() for r in get_all_child_relations(model)))
    )
    search_index_bulk(model, pages)
    content_types = [
        ContentType.objects.get_for_model(m, for_concrete_model=False) for m in [model, *model._meta.get_parent_list()]
    ]
    rows = [
        ReferenceIndex(
            content_type=content_types[0],
            base_content_type=content_types[-1],
            object_id=page.pk,
            to_content_type_id=to_content_type_id,
            to_object_id=to_object_id,
            model_path=model_path,
            content_path=content_path,
            content_path_hash=ReferenceIndex._get_content_path_hash(content_path),
        )
        for page in pages
        for to_content_type_id, to_object_id, model_path, content_path in set(
            ReferenceIndex._extract_references_from_object(page)
        )
    ]
    ReferenceIndex.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


def build_projects(index, count, seed, stdout=None):
    """Creates missing projects so that the index holds at least `count` demo projects."""

    rng = random.Random(seed)
    existing = set(ProjectPage.objects.child_of(index).values_list("slug", flat=True))
    fr = Locale.objects.get(language_code="fr")
    programmes = {p.slug: p for p in Programme.objects.filter(locale=fr)}
    thematics = {t.slug: t for t in Thematic.objects.filter(locale=fr)}
    images = demo_images()
    communes = _project_communes(rng, count)
    by_commune = {}  # commune -> its programmes' slugs, in one query rather than one per project
    for commune_id, slug in Commune.programmes.through.objects.values_list("commune_id", "programme__slug"):
        by_commune.setdefault(commune_id, []).append(slug)
    aid_of = funding_aid_finder(index.get_parent())
    region_codes = dict(Department.objects.values_list("pk", "region__code"))
    now = timezone.now()
    created = 0
    batch = []
    seen = set()
    for number in range(count):
        archetype = ARCHETYPES[number % len(ARCHETYPES)]
        commune = communes[number]
        slug_key, title_pattern, thematic_slugs, tags, summary, context, actions, results, vigilance, cost = archetype
        slug = slugify(f"{slug_key}-{commune.name}-{commune.insee_code}")[:72]
        if slug in seen:  # same kind of project in the same town: number it, deterministically
            slug = f"{slug}-{number}"
        seen.add(slug)
        if slug in existing:
            continue
        start_year = rng.randint(2018, 2025)
        done = start_year <= 2022 and rng.random() < 0.7
        total = Decimal(rng.randrange(cost[0], cost[1], 5000))
        published = now - datetime.timedelta(days=rng.randint(1, 900), minutes=number)
        programme_slugs = _programme_slugs_for(commune, by_commune)
        page = ProjectPage(
            title=title_pattern.format(commune=commune.name, de=de(commune.name), a=a(commune.name)),
            slug=slug,
            locale=fr,
            summary=summary,
            commune=commune,
            status=ProjectStatus.DONE if done else ProjectStatus.ONGOING,
            start_year=start_year,
            end_year=(start_year + rng.randint(1, 4)) if done else None,
            total_cost=total,
            live=True,
            first_published_at=published,
            last_published_at=published,
            contact_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            contact_role=rng.choice(ROLES),
            contact_organisation=f"Ville de {commune.name}",
            body=[
                {"type": "section", "value": {"kind": "contexte", "text": _rich(context)}},
                {"type": "section", "value": {"kind": "objectifs", "text": _rich(summary)}},
                {"type": "section", "value": {"kind": "actions", "text": _rich(actions)}},
                {"type": "section", "value": {"kind": "resultats", "text": _rich(results)}},
                {
                    "type": "key_figures",
                    "value": {
                        "title": "Chiffres clés",
                        "figures": list_items(
                            [
                                {"value": f"{int(total) // 1000:,} k€".replace(",", " "), "label": "coût total HT"},
                                {"value": str(start_year), "label": "lancement"},
                            ]
                        ),
                    },
                },
                {"type": "section", "value": {"kind": "vigilance", "text": _rich(vigilance)}},
            ],
        )
        funders = FUNDERS.get(next(iter(sorted(programme_slugs)), None), FUNDERS[None]) + ["Commune"]
        shares = [rng.randint(10, 40) for _ in funders]
        batch.append(
            {
                "page": page,
                "programmes": [programmes[s].pk for s in sorted(programme_slugs) if s in programmes],
                "thematics": [thematics[s].pk for s in thematic_slugs if s in thematics],
                "tags": tags,
                "funding": [
                    ProjectFundingLine(
                        funder=funder,
                        amount=(total * share / sum(shares)).quantize(Decimal("1")),
                        sort_order=i,
                        aid=aid_of(funder, programme_slugs, region_codes.get(commune.department_id)),
                    )
                    for i, (funder, share) in enumerate(zip(funders, shares, strict=True))
                ],
                "partners": [
                    ProjectPartner(name=n, role=r, sort_order=i) for i, (n, r) in enumerate(rng.sample(PARTNERS, 2))
                ],
                "image": images[number % len(images)] if images else None,
            }
        )
        existing.add(slug)
        if len(batch) >= BULK_BATCH:
            created += bulk_add_projects(index, batch)
            batch = []
            if stdout:
                stdout.write(f"  {created} projets…")
    if batch:
        created += bulk_add_projects(index, batch)
    return created


RESOURCES = [
    (
        "guide",
        "Guide de la revitalisation commerciale",
        "Méthode pas à pas pour diagnostiquer la vacance, mobiliser les propriétaires et choisir les bons outils.",
        ["commerce", "management-centre-ville"],
    ),
    (
        "kit",
        "Kit de concertation pour réaménager une place",
        "Modèles d'affiches, questionnaires et déroulés d'ateliers pour associer habitants et commerçants.",
        ["espaces-publics"],
    ),
    (
        "fiche-conseil",
        "Fiche-conseil : la boutique à l'essai",
        "Montage juridique, bail dérogatoire et critères de sélection des candidats.",
        ["commerce"],
    ),
    (
        "atlas",
        "Atlas des centralités",
        "Cartes et indicateurs sur la population, l'emploi et les commerces des villes des programmes.",
        ["habitat", "commerce"],
    ),
    (
        "barometre",
        "Baromètre du commerce de centre-ville",
        "Évolution annuelle de la vacance commerciale et des ouvertures dans les villes du réseau.",
        ["commerce"],
    ),
    (
        "etude",
        "Étude : habiter au-dessus des commerces",
        "Retours d'expérience sur la remise sur le marché des étages vacants.",
        ["habitat"],
    ),
    (
        "replay",
        "Replay : atelier mobilités et centre-ville",
        "Enregistrement d'un atelier thématique sur le stationnement, le vélo et les livraisons.",
        ["mobilites"],
    ),
    (
        "guide",
        "Guide du manager de centre-ville",
        "Missions, outils et indicateurs du métier, avec des exemples de feuilles de route.",
        ["management-centre-ville"],
    ),
    (
        "fiche-conseil",
        "Fiche-conseil : végétaliser une rue commerçante",
        "Essences, entretien et coûts pour créer des îlots de fraîcheur sans gêner l'activité.",
        ["transition-ecologique", "espaces-publics"],
    ),
    (
        "etude",
        "Étude : les foncières de redynamisation",
        "Comparaison de modèles de foncières commerciales publiques et mixtes.",
        ["commerce"],
    ),
    (
        "kit",
        "Kit d'animation des marchés nocturnes",
        "Calendrier type, conventions avec les exposants et plan de communication.",
        ["culture-tourisme"],
    ),
    (
        "replay",
        "Replay : les Assises du Centre-Ville, plénière d'ouverture",
        "Les grands témoins reviennent sur cinq années de programmes de revitalisation.",
        ["management-centre-ville"],
    ),
]


def build_resources(index, count, seed):
    rng = random.Random(seed + 1)
    fr = Locale.objects.get(language_code="fr")
    programmes = list(Programme.objects.filter(locale=fr))
    thematics = {t.slug: t for t in Thematic.objects.filter(locale=fr)}
    existing = set(ResourcePage.objects.child_of(index).values_list("slug", flat=True))
    created = 0
    for number in range(count):
        kind, title, summary, thematic_slugs = RESOURCES[number % len(RESOURCES)]
        edition = number // len(RESOURCES)
        full_title = title if edition == 0 else f"{title} (édition {2024 - edition})"
        slug = slugify(full_title)[:80]
        if slug in existing:
            continue
        date = datetime.date(2025, 1, 1) - datetime.timedelta(days=rng.randint(0, 1500))
        page = ResourcePage(
            title=full_title,
            slug=slug,
            locale=fr,
            resource_type=kind,
            date=date,
            summary=summary,
            author="Réseau des centralités",
            live=True,
            first_published_at=timezone.now() - datetime.timedelta(days=rng.randint(1, 600)),
            body=[{"type": "paragraph", "value": _rich(summary)}],
        )
        index.add_child(instance=page)
        page.programmes.set(rng.sample(programmes, k=min(len(programmes), rng.randint(1, 2))))
        page.thematics.set([thematics[s] for s in thematic_slugs if s in thematics])
        existing.add(slug)
        created += 1
    return created


def load_demo(home, sizes, seed, stdout):
    """The `hub_load_demo` hook: both indexes (with English versions), projects and resources."""
    stdout.write(f"Guide des aides : {build_aids(home)} aides créées.")
    stdout.write(f"Projétothèque : {sizes['projects']} projets…")
    index = build_project_index(home)
    created = build_projects(index, sizes["projects"], seed, stdout)
    translate_index(
        index,
        "Project library",
        "projects",
        "Projects led in the programmes' towns, told by their teams. The project sheets are in French.",
    )
    stdout.write(f"  {created} projets créés.")
    stdout.write(f"Ressources : {sizes['resources']}…")
    resources = build_resource_index(home)
    build_resources(resources, sizes["resources"], seed)
    translate_index(resources, "Resources", "resources", "Guides, kits, advice sheets, studies and replays.")
