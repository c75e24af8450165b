"""Demo content of the site core: taxonomy, home page, editorial and legal pages, in French and English.

Every function is idempotent: it finds what a previous run created (by slug) and updates it.
Apps add their own demo content through the `hub_load_demo` hook (see load_demo).
"""

import contextlib
import json
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from modelsearch.backends.database.postgres import postgres
from modelsearch.backends.database.postgres.weights import get_weight
from modelsearch.index import SearchField
from wagtail.fields import StreamField
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupPagePermission,
    Locale,
    Page,
    Site,
    Task,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)
from wagtail.search.backends import get_search_backend

from hub.models import HomePage, OperatorSettings, Programme, StandardPage, Thematic

PROGRAMMES = [
    {
        "slug": "acv",
        "short_name": "ACV",
        "colour": "blue-ecume",
        "sort_order": 1,
        "name": ("Action cœur de ville", "Action cœur de ville (town-centre action plan)"),
        "description": (
            "Plan national lancé en 2018 pour redonner de l'attractivité aux centres des villes moyennes : "
            "quelque 245 villes signataires d'une convention, cinq axes d'intervention, une seconde phase "
            "engagée jusqu'en 2026.",
            "National plan launched in 2018 to make the centres of medium-sized towns attractive again: some "
            "245 towns under agreement, five lines of action, a second phase running to 2026.",
        ),
    },
    {
        "slug": "pvd",
        "short_name": "PVD",
        "colour": "green-emeraude",
        "sort_order": 2,
        "name": ("Petites villes de demain", "Petites villes de demain (small towns of tomorrow)"),
        "description": (
            "Programme qui accompagne les communes de moins de 20 000 habitants exerçant des fonctions de "
            "centralité : ingénierie, financements et réseau pour conforter leur rôle.",
            "Programme supporting towns under 20,000 inhabitants that serve as local centres: engineering, "
            "funding and a network to strengthen their role.",
        ),
    },
    {
        "slug": "cvv",
        "short_name": "CVV",
        "colour": "purple-glycine",
        "sort_order": 3,
        "name": ("Centres-Villes Vivants", "Centres-Villes Vivants (living town centres)"),
        "description": (
            "Programme de la Métropole du Grand Paris lancé en 2018 : appui stratégique, fonds FIMACS, "
            "foncière métropolitaine et réseau des managers de centre-ville pour plus de cent communes.",
            "Programme of the Métropole du Grand Paris launched in 2018: strategic support, the FIMACS fund, "
            "a metropolitan property company and a network of town-centre managers for over a hundred towns.",
        ),
    },
]


def search_index_bulk(model, objs):
    """Search-indexes rows the demo inserted in bulk, with the same index rows `update_index` writes.

    On PostgreSQL, modelsearch's indexer extracts every search field five times per object (once each
    for title, body, autocomplete and their two plain-text copies); a StreamField body is read again
    each time. The indexer below extracts each field once, and a StreamField block by block with
    each distinct block read once (the demo's projects share their sections' texts), and hands the
    same values to the same insert: the rows are identical (tests/resources/test_demo_bulk.py).
    """
    backend = get_search_backend()
    if connection.vendor != "postgresql" or not hasattr(backend, "index_class"):
        backend.add_bulk(model, objs)
        return
    with _indexer_extracting_once():
        backend.add_bulk(model, objs)


class _SQLVector:
    """A tsvector already written as SQL, inserted by modelsearch's `add_items` as it inserts its own."""

    contains_column_references = contains_aggregate = contains_over_clause = False

    def __init__(self, sql, params):
        self.sql, self.params = sql, params

    def resolve_expression(self, *args, **kwargs):
        return self

    def as_sql(self, compiler, connection):
        return self.sql, self.params


@contextlib.contextmanager
def _indexer_extracting_once():
    base = postgres.ObjectIndexer

    blocks_text = {}  # (stream block, child type, raw JSON) -> searchable texts: demo bodies repeat their sections

    def stream_text(stream_block, value):
        if not stream_block.search_index:
            return []
        texts = []
        for item in value.raw_data:
            child = stream_block.child_blocks[item["type"]]
            key = (id(stream_block), item["type"], json.dumps(item["value"], sort_keys=True, cls=DjangoJSONEncoder))
            if key not in blocks_text:
                blocks_text[key] = child.get_searchable_content(child.to_python(item["value"]))
            texts.extend(blocks_text[key])
        return texts

    class OnceIndexer(base):
        def prepare_field(self, obj, field):
            if obj is not self.obj:  # a related object's field, reached from a RelatedFields
                return super().prepare_field(obj, field)
            cache = self.__dict__.setdefault("_prepared", {})
            if id(field) not in cache:
                model_field = getattr(obj._meta, "_forward_fields_map", {}).get(field.field_name)
                if isinstance(field, SearchField) and isinstance(model_field, StreamField):
                    value = stream_text(model_field.stream_block, model_field.value_from_object(obj))
                    cache[id(field)] = [(field, get_weight(field.boost), self.prepare_value(value))]
                else:
                    cache[id(field)] = list(super().prepare_field(obj, field))
            return iter(cache[id(field)])

        def as_vector(self, texts, for_autocomplete=False):
            # The same tsvector as modelsearch's ADD of SearchVectors, as SQL written once: Django resolving
            # and compiling those nested expressions took longer than extracting the texts.
            texts = [(text.strip(), weight) for text, weight in texts]
            texts = [(text, weight) for text, weight in texts if text]
            if not texts:
                return postgres.EMPTY_VECTOR
            config = self.autocomplete_config if for_autocomplete else self.config
            sql = " || ".join(["setweight(to_tsvector(%s::regconfig, COALESCE(%s, '')), %s)"] * len(texts))
            return _SQLVector(sql, [p for text, weight in texts for p in (config, text, weight)])

    postgres.ObjectIndexer = OnceIndexer
    try:
        yield
    finally:
        postgres.ObjectIndexer = base


THEMATICS = [
    (
        "habitat",
        "Réhabilitation de l'habitat en centre-ville",
        "Housing renovation in the town centre",
        "orange-terre-battue",
    ),
    ("commerce", "Développement économique et commercial", "Economic and retail development", "yellow-tournesol"),
    ("mobilites", "Accessibilité, mobilités et connexions", "Access, mobility and connections", "blue-cumulus"),
    (
        "espaces-publics",
        "Formes urbaines, espaces publics et patrimoine",
        "Urban form, public space and heritage",
        "green-bourgeon",
    ),
    ("equipements", "Équipements et services publics", "Public facilities and services", "pink-tuile"),
    ("transition-ecologique", "Transition écologique", "Ecological transition", "green-menthe"),
    ("management-centre-ville", "Management de centre-ville", "Town-centre management", "purple-glycine"),
    ("culture-tourisme", "Culture, tourisme et animation", "Culture, tourism and events", "pink-macaron"),
]


def locales():
    fr, _ = Locale.objects.get_or_create(language_code="fr")
    en, _ = Locale.objects.get_or_create(language_code="en")
    return fr, en


def _upsert_term(model, slug, locale, translation_of=None, **fields):
    obj = model.objects.filter(slug=slug, locale=locale).first()
    if obj is None:
        if translation_of is not None:
            obj = translation_of.copy_for_translation(locale)
        else:
            obj = model(slug=slug, locale=locale)
    for key, value in fields.items():
        setattr(obj, key, value)
    obj.slug = slug
    obj.save()
    return obj


def build_taxonomy():
    fr, en = locales()
    for order, spec in enumerate(PROGRAMMES, start=1):
        common = {"short_name": spec["short_name"], "colour": spec["colour"], "sort_order": order}
        source = _upsert_term(
            Programme, spec["slug"], fr, name=spec["name"][0], description=spec["description"][0], **common
        )
        _upsert_term(
            Programme, spec["slug"], en, source, name=spec["name"][1], description=spec["description"][1], **common
        )
    for order, (slug, name_fr, name_en, colour) in enumerate(THEMATICS, start=1):
        source = _upsert_term(Thematic, slug, fr, name=name_fr, colour=colour, sort_order=order)
        _upsert_term(Thematic, slug, en, source, name=name_en, colour=colour, sort_order=order)


def list_items(values):
    """A ListBlock's value in Wagtail's block format (each item with an id), as the admin saves it;
    wagtail-localize offers the texts of list items for translation only in this format."""

    return [{"type": "item", "value": value, "id": str(uuid.uuid4())} for value in values]


def _rich(*paragraphs):
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _body(*blocks):
    return [{"type": kind, "value": value} for kind, value in blocks]


HOME = {
    "fr": {
        "title": "Accueil",
        "slug": "accueil",
        "hero_title": "Revitaliser les centres-villes, ensemble",
        "hero_text": (
            "Centralités réunit les villes et les équipes des programmes Action cœur de ville, Petites villes "
            "de demain et Centres-Villes Vivants : des projets à imiter, des ressources pour agir, des "
            "rencontres pour échanger et un annuaire pour se trouver."
        ),
    },
    "en": {
        "title": "Home",
        "slug": "home",
        "hero_title": "Reviving town centres, together",
        "hero_text": (
            "Centralités brings together the towns and teams of the Action cœur de ville, Petites villes de "
            "demain and Centres-Villes Vivants programmes: projects to learn from, resources to act, events to "
            "meet and a directory to find each other."
        ),
    },
}

# (key, in_menu, fr {title, slug, intro, body}, en {…})
STANDARD_PAGES = [
    (
        "about",
        True,
        {
            "title": "Le réseau",
            "slug": "le-reseau",
            "intro": "Un espace commun aux programmes nationaux et métropolitains de revitalisation des centralités.",
            "body": _body(
                ("heading", {"text": "Pourquoi un réseau", "level": "h2"}),
                (
                    "paragraph",
                    _rich(
                        "Les centres-villes souffrent de la vacance commerciale, du départ des services et de la "
                        "concurrence des zones périphériques. Les villes qui s'en sortent le mieux partagent ce "
                        "qu'elles ont essayé, ce qui a marché et ce qui a coincé.",
                        "Centralités donne à ces échanges un lieu : la Projétothèque des bonnes pratiques, une "
                        "bibliothèque de ressources, des ateliers thématiques, les Assises du Centre-Ville et un "
                        "annuaire des managers de centre-ville, élus et partenaires.",
                    ),
                ),
                (
                    "key_figures",
                    {
                        "title": "Trois programmes",
                        "figures": list_items(
                            [
                                {"value": "245", "label": "villes moyennes en Action cœur de ville"},
                                {"value": "5", "label": "axes d'intervention ACV"},
                                {"value": "8", "label": "actions du programme Centres-Villes Vivants"},
                            ]
                        ),
                    },
                ),
                (
                    "callout",
                    {
                        "title": "Rejoindre le réseau",
                        "text": _rich(
                            "Managers de centre-ville, élus, techniciens, fédérations : l'adhésion est "
                            "gratuite pour les collectivités engagées dans un programme."
                        ),
                        "link": None,
                        "link_label": "",
                    },
                ),
            ),
        },
        {
            "title": "The network",
            "slug": "the-network",
            "intro": "A shared space for the national and metropolitan town-centre revitalisation programmes.",
            "body": _body(
                ("heading", {"text": "Why a network", "level": "h2"}),
                (
                    "paragraph",
                    _rich(
                        "Town centres suffer from empty shops, departing services and competition from out-of-town "
                        "retail. The towns that cope best share what they tried, what worked and what got stuck.",
                        "Centralités gives those exchanges a home: the Projétothèque of good practices, a resource "
                        "library, thematic workshops, the Assises du Centre-Ville and a directory of town-centre "
                        "managers, elected officials and partners.",
                    ),
                ),
            ),
        },
    ),
    (
        "programmes",
        True,
        {
            "title": "Les programmes",
            "slug": "les-programmes",
            "intro": "Trois dispositifs, une même ambition : des centres vivants, habités et commerçants.",
            "body": _body(
                ("heading", {"text": "Action cœur de ville", "level": "h2"}),
                (
                    "paragraph",
                    _rich(
                        "Lancé en 2018 pour les villes moyennes, le plan s'organise autour de cinq axes : l'habitat, "
                        "le développement économique et commercial, l'accessibilité et les mobilités, les formes "
                        "urbaines et le patrimoine, les équipements et services publics."
                    ),
                ),
                ("heading", {"text": "Petites villes de demain", "level": "h2"}),
                (
                    "paragraph",
                    _rich(
                        "Le programme soutient l'ingénierie des communes de moins de 20 000 habitants qui jouent un "
                        "rôle de centralité pour leur bassin de vie, avec de nombreux partenaires nationaux."
                    ),
                ),
                ("heading", {"text": "Centres-Villes Vivants", "level": "h2"}),
                (
                    "paragraph",
                    _rich(
                        "Porté par la Métropole du Grand Paris, il combine appui stratégique, cofinancements du FIMACS, "
                        "une foncière pour acquérir des murs commerciaux et l'animation d'un réseau de managers."
                    ),
                ),
            ),
        },
        {
            "title": "The programmes",
            "slug": "the-programmes",
            "intro": "Three schemes, one ambition: lively town centres where people live and shop.",
            "body": _body(
                ("heading", {"text": "Action cœur de ville", "level": "h2"}),
                (
                    "paragraph",
                    _rich(
                        "Launched in 2018 for medium-sized towns, the plan works along five lines: housing, economic "
                        "and retail development, access and mobility, urban form and heritage, public facilities."
                    ),
                ),
                ("heading", {"text": "Petites villes de demain", "level": "h2"}),
                (
                    "paragraph",
                    _rich(
                        "The programme funds engineering for towns under 20,000 inhabitants that act as centres for "
                        "their surroundings, with many national partners."
                    ),
                ),
                ("heading", {"text": "Centres-Villes Vivants", "level": "h2"}),
                (
                    "paragraph",
                    _rich(
                        "Run by the Métropole du Grand Paris, it combines strategic support, FIMACS co-funding, a "
                        "property company buying retail premises and a network of town-centre managers."
                    ),
                ),
            ),
        },
    ),
    (
        "legal",
        False,
        {
            "title": "Mentions légales",
            "slug": "mentions-legales",
            "intro": "Éditeur, hébergeur et conditions de réutilisation des contenus.",
            "body": _body(
                ("heading", {"text": "Éditeur", "level": "h2"}),
                (
                    "paragraph",
                    _rich(
                        "Le site est édité par l'association qui anime le réseau des centralités. "
                        "Directeur ou directrice de la publication : la présidence de l'association."
                    ),
                ),
                ("heading", {"text": "Réutilisation", "level": "h2"}),
                (
                    "paragraph",
                    _rich(
                        "Sauf mention contraire, les textes sont publiés sous Licence Ouverte 2.0. Les données "
                        "territoriales proviennent du découpage administratif d'Etalab (licence MIT) et de la carte "
                        "des villes Action cœur de ville de l'ANCT (Licence Ouverte 2.0)."
                    ),
                ),
            ),
        },
        {
            "title": "Legal notice",
            "slug": "legal-notice",
            "intro": "Publisher, host and terms of reuse.",
            "body": _body(
                ("heading", {"text": "Publisher", "level": "h2"}),
                ("paragraph", _rich("The site is published by the association that runs the town-centre network.")),
                ("heading", {"text": "Reuse", "level": "h2"}),
                (
                    "paragraph",
                    _rich(
                        "Unless stated otherwise, texts are published under the Licence Ouverte 2.0. Territorial data "
                        "comes from Etalab's administrative boundaries (MIT licence) and ANCT's map of Action cœur de "
                        "ville towns (Licence Ouverte 2.0)."
                    ),
                ),
            ),
        },
    ),
    (
        "accessibility",
        False,
        {
            "title": "Déclaration d'accessibilité",
            "slug": "accessibilite",
            "intro": "Le site vise la conformité au RGAA 4.1 ; cette déclaration dit où il en est.",
            "body": _body(
                ("heading", {"text": "État de conformité", "level": "h2"}),
                (
                    "paragraph",
                    _rich(
                        "Le site est partiellement conforme au référentiel général d'amélioration de "
                        "l'accessibilité (RGAA). Chaque type de page est contrôlé automatiquement à chaque "
                        "modification ; un audit complet reste à conduire."
                    ),
                ),
                ("heading", {"text": "Signaler un défaut", "level": "h2"}),
                (
                    "paragraph",
                    _rich(
                        "Si vous ne pouvez pas accéder à un contenu ou à un service, écrivez-nous : nous vous "
                        "proposerons une alternative accessible. Vous pouvez aussi saisir le Défenseur des droits."
                    ),
                ),
            ),
        },
        {
            "title": "Accessibility statement",
            "slug": "accessibility",
            "intro": "The site aims at RGAA 4.1 compliance; this statement says where it stands.",
            "body": _body(
                ("heading", {"text": "Compliance status", "level": "h2"}),
                (
                    "paragraph",
                    _rich(
                        "The site partially complies with the French accessibility framework (RGAA). Every page type "
                        "is checked automatically on each change; a full audit is still to be carried out."
                    ),
                ),
            ),
        },
    ),
    (
        "privacy",
        False,
        {
            "title": "Données personnelles",
            "slug": "donnees-personnelles",
            "intro": "Quelles données nous traitons, pourquoi, combien de temps, et vos droits.",
            "body": _body(
                ("heading", {"text": "Ce que nous traitons", "level": "h2"}),
                (
                    "paragraph",
                    _rich(
                        "Les inscriptions aux événements, les profils de l'annuaire et les abonnements à la lettre "
                        "d'information. Chaque traitement repose sur votre consentement, enregistré avec sa date.",
                        "Les données des inscriptions sont anonymisées quelques mois après l'événement. Vous pouvez "
                        "à tout moment exporter ou supprimer votre compte depuis votre espace.",
                    ),
                ),
            ),
        },
        {
            "title": "Personal data",
            "slug": "personal-data",
            "intro": "What data we process, why, for how long, and your rights.",
            "body": _body(
                ("heading", {"text": "What we process", "level": "h2"}),
                (
                    "paragraph",
                    _rich(
                        "Event registrations, directory profiles and newsletter subscriptions, each based on your "
                        "recorded consent. Registration data is anonymised a few months after the event."
                    ),
                ),
            ),
        },
    ),
]


def _publish(page):
    revision = page.save_revision()
    revision.publish()
    page.refresh_from_db()
    return page


def _set_fields(page, fields):
    for key, value in fields.items():
        setattr(page, key, value)


@transaction.atomic
def build_site():
    """The home page (French, with its English translation) as the default site's root, plus core pages."""
    fr, en = locales()
    root = Page.get_first_root_node()
    if root is None:  # a flushed database (transactional tests) has lost the trees' roots
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=fr))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    home = HomePage.objects.filter(locale=fr, depth=2).first()
    if home is None:
        home = HomePage(locale=fr, **{k: v for k, v in HOME["fr"].items()})
        root.add_child(instance=home)
    else:
        _set_fields(home, HOME["fr"])
    _publish(home)

    site = Site.objects.filter(is_default_site=True).first()
    hostname, port = site_address()
    if site is None:
        site = Site(is_default_site=True, hostname=hostname, port=port)
    elif (site.hostname, site.port) == ("localhost", 80):  # Wagtail's placeholder, never a real address
        site.hostname, site.port = hostname, port
    site.root_page = home
    site.site_name = "Centralités"
    site.save()
    # Wagtail's placeholder "Welcome" page is replaced by our home page.
    for page in Page.objects.filter(depth=2).exclude(locale__in=[fr, en]).exclude(pk=home.pk):
        page.delete()
    Page.objects.filter(depth=2, content_type__model="page", locale=fr).exclude(pk=home.pk).delete()

    home_en = home.get_translation_or_none(en)
    if home_en is None:
        home_en = home.copy_for_translation(en)
    home_en = home_en.specific
    _set_fields(home_en, HOME["en"])
    _publish(home_en)

    pages = {}
    for key, in_menu, fr_fields, en_fields in STANDARD_PAGES:
        page = StandardPage.objects.child_of(home).filter(slug=fr_fields["slug"]).first()
        if page is None:
            page = StandardPage(locale=fr, title=fr_fields["title"], slug=fr_fields["slug"])
            home.add_child(instance=page)
        _set_fields(page, {**fr_fields, "show_in_menus": in_menu})
        _publish(page)
        translated = page.get_translation_or_none(en)
        if translated is None:
            translated = page.copy_for_translation(en)
        translated = translated.specific
        _set_fields(translated, {**en_fields, "show_in_menus": in_menu})
        _publish(translated)
        pages[key] = page

    ensure_moderation_workflow(root)

    operator = OperatorSettings.for_site(site)
    operator.operator_name = "Réseau des centralités"
    operator.site_title = "Centralités"
    operator.legal_page = pages["legal"]
    operator.accessibility_page = pages["accessibility"]
    operator.privacy_page = pages["privacy"]
    operator.footer_text = (
        "Le site commun des programmes Action cœur de ville, Petites villes de demain et Centres-Villes "
        "Vivants : projets, ressources, rencontres et annuaire du réseau."
    )
    operator.footer_text_en = (
        "The shared site of the Action cœur de ville, Petites villes de demain and Centres-Villes Vivants "
        "programmes: projects, resources, events and the network's directory."
    )
    operator.save()
    return home


def site_address():
    """The default Site's hostname and port, from SITE_BASE_URL (so Wagtail's own full URLs match it)."""

    parts = urlsplit(settings.SITE_BASE_URL)
    return parts.hostname or "localhost", parts.port or (443 if parts.scheme == "https" else 80)


MODERATION_WORKFLOW_NAME = "Validation par la modération"
MODERATOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page"]


def ensure_moderation_workflow(root):
    """Editors and moderators groups and one active moderation workflow on the whole tree, in French.

    Wagtail's migrations create them ("Moderators approval"); a flushed database has lost them. Groups
    that already exist keep their permissions.
    """

    Workflow.objects.filter(name="Moderators approval").update(name=MODERATION_WORKFLOW_NAME)
    Task.objects.filter(name="Moderators approval").update(name=MODERATION_WORKFLOW_NAME)
    access_admin = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    groups = {}
    for name, codenames in (("Moderators", MODERATOR_PAGE_PERMISSIONS), ("Editors", EDITOR_PAGE_PERMISSIONS)):
        group, created = Group.objects.get_or_create(name=name)
        if created:
            group.permissions.add(access_admin)
            for permission in Permission.objects.filter(content_type__app_label="wagtailcore", codename__in=codenames):
                GroupPagePermission.objects.get_or_create(group=group, page=root, permission=permission)
        groups[name] = group
    if WorkflowPage.objects.filter(page=root, workflow__active=True).exists():
        return
    task = GroupApprovalTask.objects.filter(active=True, groups=groups["Moderators"]).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=MODERATION_WORKFLOW_NAME)
        task.groups.set([groups["Moderators"]])
    workflow = Workflow.objects.filter(active=True, workflow_tasks__task=task).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=MODERATION_WORKFLOW_NAME)
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})


def ensure_index(model, home, title, slug, intro):
    """The home page's (only) index page of `model`, created and published on the first run."""
    index = model.objects.child_of(home).order_by("path").first()
    if index is None:
        index = model(title=title, slug=slug, show_in_menus=True, locale=home.locale, intro=intro)
        home.add_child(instance=index)
        index.save_revision().publish()
    return index


def translate_index(page, title, slug, intro):
    en = Locale.objects.get(language_code="en")
    translated = page.get_translation_or_none(en)
    if translated is None:
        translated = page.copy_for_translation(en)
    translated = translated.specific
    if translated.title != title or translated.slug != slug or not translated.live:
        translated.title, translated.slug, translated.intro = title, slug, intro
        translated.show_in_menus = True
        translated.save_revision().publish()
    return translated


# French elision before a place name, for the demo's generated titles and names.
VOWELS = tuple("AEIOUYÉÈÊÂÎÔH")


def de(name):
    """French "de" before a commune name: du Mans, des Sables-d'Olonne, d'Alençon, de Poitiers."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if name.upper().startswith(VOWELS):
        return "d'" + name
    return "de " + name


def a(name):
    """French "à" before a commune name: au Mans, aux Sables-d'Olonne, à Poitiers."""
    if name.startswith("Le "):
        return "au " + name[3:]
    if name.startswith("Les "):
        return "aux " + name[4:]
    return "à " + name
