"""The demo's guide to financing aids: real, named aids of the programmes, with the facts their documents
give; amounts and rates the documents do not give are illustrative and marked as such. The funding lines of
the projects created after them point to them (`funding_aid_finder`). Idempotent: a second run changes
nothing."""

import datetime
from decimal import Decimal

from hub.demo import ensure_index, search_index_bulk, translate_index
from hub.models import EPCI, Programme, Region, Thematic
from resources.models import AidIndexPage, AidPage

GRAND_PARIS = "200054781"  # Métropole du Grand Paris (SIREN)
HAUTS_DE_FRANCE = "32"

AIDS = [
    {
        "slug": "fimacs",
        "title": "FIMACS — Fonds d'intervention métropolitain de soutien à l'artisanat, au commerce et aux services",
        "summary": "Le fonds de la Métropole du Grand Paris pour les projets de commerce, d'artisanat et de services "
        "des communes accompagnées par Centres-Villes Vivants : aménagement de locaux, animation, études.",
        "funders": "Métropole du Grand Paris",
        "funder_type": "epci",
        "natures": ["subvention"],
        "beneficiaries": ["commune", "epci"],
        "programmes": ["cvv"],
        # Reserved to the communes Centres-Villes Vivants accompanies: the site holds no list of them (import it
        # with import_programme_communes cvv), so the rule here is the Métropole's territory alone.
        "required": [],
        "lines_programmes": ["cvv"],
        "thematics": ["commerce"],
        "epcis": [GRAND_PARIS],
        "amount_max": Decimal("150000"),
        "rate_max": Decimal("50"),
        "illustrative": True,
        "permanent": True,
        "eligibility": "Réservé aux communes et établissements publics territoriaux de la Métropole du Grand Paris "
        "entrés dans le programme Centres-Villes Vivants. Le fonds a reçu un nouveau règlement, qui aide davantage "
        "les petites communes et celles qui en ont le plus besoin.",
        "how_to_apply": "Le dossier est monté avec l'équipe Centres-Villes Vivants de la Métropole, dans le cadre "
        "de l'accompagnement de la commune.",
        "source": "https://www.metropolegrandparis.fr/",
        "funder_lines": ["Métropole du Grand Paris (FIMACS)"],
    },
    {
        "slug": "anah-opah-ru-action-coeur-de-ville",
        "title": "Anah — OPAH-RU et chef de projet dans les villes Action cœur de ville",
        "summary": "L'Anah finance la réhabilitation de l'habitat ancien du centre-ville dans une opération "
        "programmée (OPAH-RU) et prend en charge la moitié du poste de directeur de projet.",
        "funders": "Agence nationale de l'habitat (Anah)",
        "funder_type": "anah",
        "natures": ["subvention", "ingenierie"],
        "beneficiaries": ["commune", "epci", "proprietaire", "bailleur"],
        "programmes": ["acv"],
        "required": ["acv"],
        "thematics": ["habitat"],
        "rate_max": Decimal("50"),
        "illustrative": False,
        "permanent": True,
        "eligibility": "Villes de la convention Action cœur de ville ; les travaux des propriétaires sont aidés "
        "dans le périmètre de l'opération programmée.",
        "how_to_apply": "Par la délégation locale de l'Anah (direction départementale des territoires).",
        "source": "https://www.anah.gouv.fr/",
        "funder_lines": ["Anah"],
        "programme_lines": "acv",
    },
    {
        "slug": "banque-des-territoires-ingenierie-centres-villes",
        "title": "Banque des Territoires — ingénierie et prêts pour les centres-villes",
        "summary": "Cofinancement d'études et d'ingénierie, puis prêts de long terme pour les opérations de "
        "revitalisation des villes Action cœur de ville et Petites villes de demain.",
        "funders": "Banque des Territoires (Caisse des dépôts)",
        "funder_type": "banque-des-territoires",
        "natures": ["ingenierie", "pret"],
        "beneficiaries": ["commune", "epci"],
        "programmes": ["acv", "pvd"],
        "required": ["acv", "pvd"],
        "thematics": [],
        "amount_max": Decimal("100000"),
        "rate_max": Decimal("50"),
        "illustrative": True,
        "permanent": True,
        "eligibility": "Collectivités signataires d'une convention Action cœur de ville ou Petites villes de demain.",
        "how_to_apply": "Auprès de la direction régionale de la Banque des Territoires.",
        "source": "https://www.banquedesterritoires.fr/",
        "funder_lines": ["Banque des Territoires"],
    },
    {
        "slug": "petites-villes-de-demain-chef-de-projet",
        "title": "Petites villes de demain — financement du chef de projet",
        "summary": "Le programme soutient l'ingénierie des petites centralités : un chef de projet pour "
        "conduire la revitalisation, cofinancé par l'État et ses partenaires.",
        "funders": "Agence nationale de la cohésion des territoires (ANCT)",
        "funder_type": "operateur-etat",
        "natures": ["ingenierie"],
        "beneficiaries": ["commune", "epci"],
        "programmes": ["pvd"],
        "required": ["pvd"],
        "thematics": [],
        "bands": ["lt3500", "3500-20000"],
        "rate_max": Decimal("75"),
        "illustrative": True,
        "permanent": True,
        "eligibility": "Communes de moins de 20 000 habitants lauréates du programme Petites villes de demain, "
        "et leur intercommunalité.",
        "how_to_apply": "Auprès de la préfecture de département, qui coordonne le programme.",
        "source": "https://agence-cohesion-territoires.gouv.fr/petites-villes-de-demain-45",
    },
    {
        "slug": "fonds-friches",
        "title": "Fonds friches — recyclage foncier des friches",
        "summary": "Le fonds de l'État pour remettre en usage des friches urbaines, commerciales ou "
        "industrielles : acquisition, dépollution, démolition, aménagement.",
        "funders": "État (ministère de la Transition écologique)",
        "funder_type": "etat",
        "natures": ["subvention", "appel-a-projets"],
        "beneficiaries": ["commune", "epci", "bailleur"],
        "programmes": [],
        "required": [],
        "thematics": ["espaces-publics", "transition-ecologique"],
        "amount_max": Decimal("1000000"),
        "illustrative": True,
        "permanent": False,
        "opens_on": datetime.date(2021, 1, 1),
        "closes_on": datetime.date(2022, 12, 31),
        "eligibility": "Appels à projets régionaux ; le recyclage des friches est financé depuis 2023 par le "
        "Fonds vert.",
        "how_to_apply": "Appels à projets clos : voir le Fonds vert.",
        "source": "https://www.ecologie.gouv.fr/",
    },
    {
        "slug": "hauts-de-france-centres-villes-centres-bourgs",
        "title": "Région Hauts-de-France — redynamisation des centres-villes et centres-bourgs",
        "summary": "La Région accompagne les communes des Hauts-de-France qui réaménagent leur centre : "
        "espaces publics, commerces, équipements.",
        "funders": "Région Hauts-de-France",
        "funder_type": "region",
        "natures": ["subvention"],
        "beneficiaries": ["commune", "epci"],
        "programmes": [],
        "required": [],
        "thematics": ["espaces-publics", "commerce"],
        "regions": [HAUTS_DE_FRANCE],
        "bands": ["lt3500", "3500-20000"],
        "amount_max": Decimal("300000"),
        "rate_max": Decimal("30"),
        "illustrative": True,
        "permanent": True,
        "eligibility": "Communes de moins de 20 000 habitants de la région ; le projet s'inscrit dans une "
        "stratégie de centralité.",
        "how_to_apply": "Par la plateforme des aides de la Région.",
        "source": "https://www.hautsdefrance.fr/",
        "funder_lines": ["Région"],
        "region_lines": HAUTS_DE_FRANCE,
    },
]


def build_aid_index(home):
    return ensure_index(
        AidIndexPage,
        home,
        "Aides",
        "aides",
        "Les aides qu'un projet de centre-ville peut obtenir : qui les donne, à qui, jusqu'à quand, et les "
        "projets qu'elles ont déjà financés. Indiquez votre commune pour ne voir que celles qu'elle peut obtenir.",
    )


def _programmes(slugs):
    return list(Programme.objects.filter(slug__in=slugs, locale__language_code="fr"))


def build_aids(home):
    index = build_aid_index(home)
    translate_index(
        index,
        "Funding",
        "funding",
        "The aids a town-centre project can get: who gives them, to whom, until when, and the projects they "
        "funded. The aid pages are in French.",
    )
    created = 0
    for spec in AIDS:
        if AidPage.objects.child_of(index).filter(slug=spec["slug"]).exists():
            continue
        aid = AidPage(
            title=spec["title"],
            slug=spec["slug"],
            summary=spec["summary"],
            funders=spec["funders"],
            funder_type=spec["funder_type"],
            natures=spec["natures"],
            beneficiaries=spec["beneficiaries"],
            population_bands=spec.get("bands", []),
            amount_max=spec.get("amount_max"),
            rate_max=spec.get("rate_max"),
            illustrative_amounts=spec["illustrative"],
            permanent=spec["permanent"],
            opens_on=spec.get("opens_on"),
            closes_on=spec.get("closes_on"),
            eligibility=spec["eligibility"],
            how_to_apply=spec["how_to_apply"],
            source_url=spec["source"],
            last_verified_on=datetime.date(2026, 11, 2),
            locale=index.locale,
        )
        aid.programmes = _programmes(spec["programmes"])
        aid.required_programmes = _programmes(spec["required"])
        aid.thematics = list(Thematic.objects.filter(slug__in=spec["thematics"], locale__language_code="fr"))
        aid.eligible_epcis = list(EPCI.objects.filter(siren__in=spec.get("epcis", [])))
        aid.eligible_regions = list(Region.objects.filter(code__in=spec.get("regions", [])))
        if len(aid.eligible_epcis.all()) < len(spec.get("epcis", [])) or len(aid.eligible_regions.all()) < len(
            spec.get("regions", [])
        ):
            continue  # its territory is not imported here: without it, the aid would seem open to all of France
        index.add_child(instance=aid)
        aid.save_revision().publish()
        created += 1
    if created:  # written one by one, indexed at once (as the projects are)
        search_index_bulk(AidPage, list(AidPage.objects.child_of(index).prefetch_related("programmes", "thematics")))
    return created


def funding_aid_finder(home):
    """A function telling which demo aid a new project's funding line points to: (funder, the project's
    programme slugs, its région code) -> AidPage or None. The demo's projects are written in bulk, with
    their funding lines already linked (and their references indexed with them)."""
    index = AidIndexPage.objects.child_of(home).first()
    aids = {aid.slug: aid for aid in AidPage.objects.child_of(index)} if index else {}
    rules = []
    for spec in AIDS:
        if spec["slug"] in aids and spec.get("funder_lines"):
            programmes = set(spec.get("lines_programmes", spec["required"]))
            rules.append((set(spec["funder_lines"]), programmes, spec.get("region_lines"), aids[spec["slug"]]))

    def find(funder, programme_slugs, region_code):
        for funders, programmes, region, aid in rules:
            if funder not in funders:
                continue
            if programmes and not programmes & set(programme_slugs):
                continue
            if region and region != region_code:
                continue
            return aid
        return None

    return find
