"""Demo content of the newsletter: the archive page (fr/en), subscribers in every status, two sent issues.

Idempotent: subscribers are keyed by email, issues by slug; re-running adds only what is missing.
"""

import datetime
import random

from django.utils import timezone
from wagtail.models import Locale, Page

from hub.models import Programme, Thematic
from newsletter.apps import ensure_managers_group
from newsletter.models import (
    Delivery,
    DeliveryStatus,
    IssueSend,
    NewsletterIndexPage,
    NewsletterIssuePage,
    Subscriber,
    SubscriberStatus,
    new_token,
)

FIRST_NAMES = [
    "camille", "dominique", "claude", "alix", "sacha", "maxime", "louise", "hugo", "ines", "jules",
    "manon", "nathan", "chloe", "lucas", "lea", "yanis", "sarah", "mathis", "emma", "karim",
]  # fmt: skip
LAST_NAMES = [
    "martin", "bernard", "petit", "durand", "leroy", "moreau", "simon", "laurent", "lefebvre", "michel",
    "garcia", "david", "bertrand", "roux", "vincent", "fournier", "morel", "girard", "andre", "mercier",
]  # fmt: skip
DOMAINS = ["mairie-demo.example.org", "agglo-demo.example.org", "cci-demo.example.org", "exemple.test"]
# Every status appears among the first five, so even a tiny demo shows them all.
STATUS_PATTERN = (
    [
        SubscriberStatus.ACTIVE,
        SubscriberStatus.PENDING,
        SubscriberStatus.UNSUBSCRIBED,
        SubscriberStatus.BOUNCED,
        SubscriberStatus.COMPLAINED,
    ]
    + [SubscriberStatus.ACTIVE] * 11
    + [SubscriberStatus.PENDING, SubscriberStatus.UNSUBSCRIBED]
)

ISSUES = [
    {
        "slug": "2026-09",
        "date": datetime.date(2026, 9, 1),
        "title": "Lettre de septembre 2026 : la rentrée des centres-villes",
        "subject": "Rentrée : commerces à l'essai, façades et Assises",
        "preheader": "Les projets de l'été, les ressources nouvelles et les rendez-vous de l'automne.",
        "edito": (
            "La rentrée est le moment où les équipes des villes reprennent leurs chantiers et en ouvrent de "
            "nouveaux. Ce numéro rassemble ce que le réseau a publié pendant l'été : des projets qui ont "
            "fait leurs preuves, des outils pour avancer et les prochaines occasions de se retrouver."
        ),
    },
    {
        "slug": "2026-10",
        "date": datetime.date(2026, 10, 1),
        "title": "Lettre d'octobre 2026 : habiter le cœur de ville",
        "subject": "Habiter le centre : logements vacants, rénovation, témoignages",
        "preheader": "Remettre des logements sur le marché au-dessus des commerces : ce que font les villes.",
        "edito": (
            "Ramener des habitants dans les centres anciens est l'un des leviers les plus puissants de la "
            "revitalisation. Ce mois-ci, des villes racontent comment elles ont rouvert des étages vacants, "
            "accompagné des propriétaires et rénové sans dénaturer le bâti."
        ),
    },
]


def build_index(home):
    index = NewsletterIndexPage.objects.child_of(home).first()
    if index is None:
        index = NewsletterIndexPage(
            title="Lettre d'information",
            slug="newsletter",
            locale=home.locale,
            show_in_menus=False,
            intro=(
                "Chaque mois, une sélection de projets de la Projétothèque, les nouvelles ressources et les "
                "prochains rendez-vous du réseau. Les numéros parus restent consultables ici."
            ),
        )
        home.add_child(instance=index)
        index.save_revision().publish()
    en = Locale.objects.filter(language_code="en").first()
    if en is not None and index.get_translation_or_none(en) is None:
        translated = index.copy_for_translation(en).specific
        translated.title = "Newsletter"
        translated.slug = "newsletter"
        translated.intro = (
            "Every month, a selection of projects, new resources and upcoming events of the network. Past issues "
            "stay available here (in French)."
        )
        translated.save_revision().publish()
    return index


def build_subscribers(count, seed):
    rng = random.Random(seed + 30)
    fr = Locale.objects.get(language_code="fr")
    programmes = list(Programme.objects.filter(locale=fr))
    thematics = list(Thematic.objects.filter(locale=fr))
    now = timezone.now()
    wanted = []
    for number in range(count):
        first, last = FIRST_NAMES[number % len(FIRST_NAMES)], LAST_NAMES[(number // 3) % len(LAST_NAMES)]
        email = f"{first}.{last}.{number}@{DOMAINS[number % len(DOMAINS)]}"
        status = STATUS_PATTERN[number % len(STATUS_PATTERN)]
        consent_at = now - datetime.timedelta(days=rng.randint(10, 700), minutes=rng.randint(0, 1440))
        subscriber = Subscriber(
            email=email,
            status=status,
            language="en" if number % 9 == 4 else "fr",
            consent_at=consent_at,
            consent_ip=f"192.0.2.{number % 250 + 1}",  # documentation range (RFC 5737)
            consent_user_agent="Mozilla/5.0 (démo)",
            consent_source=["page", "footer"][number % 2],
            consent_wording="2026-11",
            confirmation_sent_at=consent_at,
        )
        if status != SubscriberStatus.PENDING:
            subscriber.confirmed_at = consent_at + datetime.timedelta(minutes=rng.randint(1, 600))
        else:
            subscriber.confirmation_token = new_token()
            subscriber.confirmation_sent_at = now - datetime.timedelta(days=rng.randint(0, 10))
        if status == SubscriberStatus.UNSUBSCRIBED:
            subscriber.unsubscribed_at = now - datetime.timedelta(days=rng.randint(1, 30))
        elif status == SubscriberStatus.BOUNCED:
            subscriber.bounced_at = now - datetime.timedelta(days=rng.randint(1, 30))
        elif status == SubscriberStatus.COMPLAINED:
            subscriber.complained_at = now - datetime.timedelta(days=rng.randint(1, 30))
        wanted.append(subscriber)
    existing = set(Subscriber.objects.filter(email__in=[s.email for s in wanted]).values_list("email", flat=True))
    new = [s for s in wanted if s.email not in existing]
    Subscriber.objects.bulk_create(new, batch_size=1000)
    created = Subscriber.objects.filter(email__in=[s.email for s in new]).values_list("pk", flat=True)
    programme_links, thematic_links = [], []
    for pk in created:
        for programme in rng.sample(programmes, k=min(len(programmes), rng.randint(0, 2))):
            programme_links.append(Subscriber.programmes.through(subscriber_id=pk, programme_id=programme.pk))
        for thematic in rng.sample(thematics, k=min(len(thematics), rng.randint(0, 3))):
            thematic_links.append(Subscriber.thematics.through(subscriber_id=pk, thematic_id=thematic.pk))
    Subscriber.programmes.through.objects.bulk_create(programme_links, batch_size=2000, ignore_conflicts=True)
    Subscriber.thematics.through.objects.bulk_create(thematic_links, batch_size=2000, ignore_conflicts=True)
    return len(new)


def _issue_body(spec):
    body = [
        {
            "type": "edito",
            "value": {"title": "Édito", "text": f"<p>{spec['edito']}</p>", "signature": "L'équipe du réseau"},
        },
        {"type": "featured_projects", "value": {"title": "Projets à la une", "projects": [], "count": 3}},
        {"type": "new_resources", "value": {"title": "Nouvelles ressources", "count": 3}},
        {"type": "upcoming_events", "value": {"title": "Prochains rendez-vous", "count": 3}},
    ]
    proposals = Page.objects.filter(slug="projetotheque", depth=3).first()
    if proposals is not None:
        body.append(
            {
                "type": "call_to_action",
                "value": {
                    "text": "Votre ville a mené un projet utile aux autres ? Partagez-le dans la Projétothèque.",
                    "button_label": "Voir la Projétothèque",
                    "page": proposals.pk,
                    "url": "",
                },
            }
        )
    return body


def build_past_issues(index):
    """Two issues, published and marked sent to the active subscribers of the time."""
    active = list(Subscriber.objects.filter(status=SubscriberStatus.ACTIVE).values_list("pk", flat=True))
    issues = []
    for spec in ISSUES:
        issue = NewsletterIssuePage.objects.child_of(index).filter(slug=spec["slug"]).first()
        if issue is None:
            issue = NewsletterIssuePage(
                title=spec["title"],
                slug=spec["slug"],
                locale=index.locale,
                issue_date=spec["date"],
                subject=spec["subject"],
                preheader=spec["preheader"],
                body=_issue_body(spec),
            )
            index.add_child(instance=issue)
            issue.save_revision().publish()
        sent_at = timezone.make_aware(datetime.datetime.combine(spec["date"], datetime.time(9, 30)))
        IssueSend.objects.get_or_create(issue=issue, defaults={"started_at": sent_at})
        Delivery.objects.bulk_create(
            [
                Delivery(issue=issue, subscriber_id=pk, status=DeliveryStatus.SENT, attempts=1, sent_at=sent_at)
                for pk in active
            ],
            ignore_conflicts=True,
            batch_size=2000,
        )
        issues.append(issue)
    return issues


def load_demo(home, sizes, seed, stdout):
    """The `hub_load_demo` hook (after projects, resources and events, which the issues quote)."""

    stdout.write(f"Lettre d'information : {sizes['subscribers']} abonné·es, 2 numéros envoyés…")
    index = build_index(home)
    created = build_subscribers(sizes["subscribers"], seed)
    build_past_issues(index)
    ensure_managers_group()
    stdout.write(f"  {created} abonné·es créés.")
