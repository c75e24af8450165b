"""Who can get an aid: its rules (resources.AidPage's territory, programme and population fields) read for
one commune, in the database for a listing (`eligible_for`) and one by one for a page (`assess`), and its
status on a given day.

A rule left empty admits every commune. A commune meets the territory rule when it is named, or its EPCI
or EPT, its département or its région is; the programme rule when it belongs to one of the programmes
(compared by translation key, so a French or an English page reads the same); the population rule when
its population band is one of those listed.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.i18n import localized_list
from hub.models import Commune, Department, Region
from hub.models.territories import population_band
from hub.pagestate import public
from resources.fields import contains
from resources.models import AidEligibleCommune, AidPage, Beneficiary, PopulationBand, ProjectFundingLine, ProjectPage

OPEN, CLOSING_SOON, PERMANENT, CLOSED = "ouverte", "bientot-close", "permanente", "close"
STATUSES = [
    (OPEN, _("ouverte")),
    (CLOSING_SOON, _("bientôt close")),
    (PERMANENT, _("permanente")),
    (CLOSED, _("close")),
]
CLOSING_SOON_DAYS = 30


def today():
    return timezone.localdate()


# Status ------------------------------------------------------------------------------------------------


def status_conditions(day=None):
    """{status: Q} on a given day. "ouverte" is every aid not closed: the permanent ones and those closing
    soon too, which have a value of their own as well."""
    day = day or today()
    soon = day + datetime.timedelta(days=CLOSING_SOON_DAYS)
    closed = Q(permanent=False, closes_on__lt=day)
    return {
        OPEN: ~closed,
        CLOSING_SOON: Q(permanent=False, closes_on__gte=day, closes_on__lte=soon),
        PERMANENT: Q(permanent=True),
        CLOSED: closed,
    }


def status_of(aid, day=None):
    """The aid's own status: permanente, close, bientot-close or ouverte."""
    day = day or today()
    if aid.permanent:
        return PERMANENT
    if aid.closes_on and aid.closes_on < day:
        return CLOSED
    if aid.closes_on and aid.closes_on <= day + datetime.timedelta(days=CLOSING_SOON_DAYS):
        return CLOSING_SOON
    return OPEN


def status_label(status):
    return dict(STATUSES)[status]


# Where an aid reaches, stored on save for the listing's territory facets ---------------------------------


def reach(aid):
    """(nationwide, région codes, département codes) the aid's territory rules reach (`AidPage.save`)."""
    regions = list(aid.eligible_regions.all())
    departments = list(aid.eligible_departments.all())
    epcis = list(aid.eligible_epcis.all())
    communes = [link.commune for link in aid.eligible_commune_links.all()]
    if not (regions or departments or epcis or communes):
        return True, [], []
    department_ids = {d.pk for d in departments}
    department_ids |= {c.department_id for c in communes if c.department_id}
    if epcis:
        members = Commune.objects.filter(Q(epci__in=epcis) | Q(ept__in=epcis)).exclude(department=None)
        department_ids |= set(members.values_list("department_id", flat=True).distinct())
    reached = Department.objects.filter(Q(pk__in=department_ids) | Q(region__in=regions))
    department_codes = sorted(reached.values_list("code", flat=True))
    region_codes = sorted(
        {r.code for r in regions} | set(Region.objects.filter(departments__in=reached).values_list("code", flat=True))
    )
    return False, region_codes, department_codes


def reaches_region(code):
    return Q(nationwide=True) | Q(reach_regions__contains=f",{code},")


def reaches_department(code):
    return Q(nationwide=True) | Q(reach_departments__contains=f",{code},")


def reaches_epci(epci):
    """The aids whose territory rules admit an EPCI's communes: nationwide, or naming the EPCI, one of its
    communes, or the département or région of one of them (not another EPCI of the same département)."""
    members = Commune.objects.filter(Q(epci=epci) | Q(ept=epci))
    departments = members.exclude(department=None).values("department_id")
    regions = Department.objects.filter(pk__in=departments).values("region_id")
    rules = [
        ("eligible_epcis", {"epci_id": epci.pk}),
        ("eligible_departments", {"department_id__in": departments}),
        ("eligible_regions", {"region_id__in": regions}),
    ]
    found = Q(nationwide=True) | Exists(AidEligibleCommune.objects.filter(page_id=OuterRef("pk"), commune__in=members))
    for name, condition in rules:
        found |= Exists(_through(name).objects.filter(aidpage_id=OuterRef("pk"), **condition))
    return found


def open_to_programmes_of(communes):
    """The aids reserved to no programme, or to one that some of `communes` (a queryset) belong to."""
    keys = Commune.programmes.through.objects.filter(commune__in=communes).values("programme__translation_key")
    reserved = _through("required_programmes").objects.filter(aidpage_id=OuterRef("pk"))
    return ~_rule_exists("required_programmes") | Exists(reserved.filter(programme__translation_key__in=keys))


# Eligibility of a commune --------------------------------------------------------------------------------


def _through(name):
    return getattr(AidPage, name).through


def _rule_exists(name):
    return Exists(_through(name).objects.filter(aidpage_id=OuterRef("pk")))


# A municipal district (Paris, Lyon, Marseille) is judged as its city: its EPCI, programmes and population.
DISTRICT_CITIES = {"751": "75056", "6938": "69123", "132": "13055"}
# Who "a commune" stands for when no beneficiary is chosen: the commune itself and its intercommunality.
COMMUNE_BENEFICIARIES = ("commune", "epci")


def judged_commune(commune):
    """The commune whose rules apply: itself, or the city of a municipal district."""
    if commune is None or commune.kind != Commune.Kind.MUNICIPAL_DISTRICT:
        return commune
    city = next((code for prefix, code in DISTRICT_CITIES.items() if commune.insee_code.startswith(prefix)), None)
    found = (
        Commune.objects.select_related("department__region", "epci", "ept").filter(insee_code=city).first()
        if city
        else None
    )
    return found or commune


def _programme_keys(commune):
    return list(commune.programmes.values_list("translation_key", flat=True))


def _beneficiaries(beneficiaries):
    return [code for code in (beneficiaries or COMMUNE_BENEFICIARIES) if code]


def eligible_for(commune, beneficiaries=None):
    """The filter of the aids `commune` can get (on the aids' French originals or translations alike): its
    territory, programme and population rules, and a beneficiary among `beneficiaries` (by default the
    commune or its intercommunality; the listing passes the types a visitor chose)."""
    commune = judged_commune(commune)
    epcis = [pk for pk in (commune.epci_id, commune.ept_id) if pk]
    region_id = commune.department.region_id if commune.department_id else None
    territory = Q(nationwide=True) | Exists(
        AidEligibleCommune.objects.filter(page_id=OuterRef("pk"), commune_id=commune.pk)
    )
    places = [
        ("eligible_epcis", {"epci_id__in": epcis}),
        ("eligible_departments", {"department_id": commune.department_id}),
        ("eligible_regions", {"region_id": region_id}),
    ]
    for name, condition in places:
        territory |= Exists(_through(name).objects.filter(aidpage_id=OuterRef("pk"), **condition))
    programmes = _through("required_programmes").objects.filter(aidpage_id=OuterRef("pk"))
    programme = ~_rule_exists("required_programmes") | Exists(
        programmes.filter(programme__translation_key__in=_programme_keys(commune))
    )
    band = population_band(commune.population)
    population = Q(population_bands="") | (contains("population_bands", band) if band else Q(pk__in=[]))
    beneficiary = Q(pk__in=[])
    for code in _beneficiaries(beneficiaries):
        beneficiary |= contains("beneficiaries", code)
    return territory & programme & population & beneficiary


@dataclass
class Criterion:
    """One rule of an aid read for one commune: `met` True or False; `rule` what the aid asks."""

    key: str
    label: str
    rule: str
    met: bool


def _names(rows):
    return ", ".join(str(row) for row in rows)


def assess(aid, commune, day=None, beneficiaries=None, programme_keys=None):
    """Each rule of the aid (those it has), met or not by `commune`, and whether it is still open. The aid's
    rules are read with `.all()`: prefetch them to assess many aids (`RULES`); `programme_keys`, the
    commune's programmes' translation keys, when already known."""
    commune = judged_commune(commune)
    found = []
    wanted = _beneficiaries(beneficiaries)
    labels = dict(Beneficiary.choices)
    met = any(code in aid.beneficiaries for code in wanted)
    found.append(
        Criterion(
            "beneficiaire", str(_("Bénéficiaires")), ", ".join(str(labels.get(c, c)) for c in aid.beneficiaries), met
        )
    )
    regions = list(aid.eligible_regions.all())
    departments = list(aid.eligible_departments.all())
    epcis = list(aid.eligible_epcis.all())
    communes = [link.commune for link in aid.eligible_commune_links.all()]
    if regions or departments or epcis or communes:
        region_id = commune.department.region_id if commune.department_id else None
        met = (
            any(c.pk == commune.pk for c in communes)
            or any(e.pk in (commune.epci_id, commune.ept_id) for e in epcis)
            or any(d.pk == commune.department_id for d in departments)
            or any(r.pk == region_id for r in regions)
        )
        named = [*(r.name for r in regions), *(d.name for d in departments), *(e.name for e in epcis)]
        named += [c.name for c in communes]
        found.append(Criterion("territoire", str(_("Territoire")), ", ".join(named), met))
    required = list(aid.required_programmes.all())
    if required:
        keys = set(_programme_keys(commune) if programme_keys is None else programme_keys)
        met = any(p.translation_key in keys for p in required)
        found.append(Criterion("programme", str(_("Programme")), _names(p.label for p in required), met))
    bands = aid.population_bands
    if bands:
        labels = dict(PopulationBand.choices)
        met = population_band(commune.population) in bands
        found.append(Criterion("population", str(_("Taille de la commune")), _names(labels[b] for b in bands), met))
    status = status_of(aid, day)
    found.append(Criterion("dates", str(_("Calendrier")), str(status_label(status)), status != CLOSED))
    return found


RULES = (
    "eligible_regions",
    "eligible_departments",
    "eligible_epcis",
    "eligible_commune_links__commune",
    "required_programmes",
)


def commune_of(code):
    """The current commune (or municipal district) of an INSEE code, or None."""
    code = (code or "").strip().upper()[:5]
    if not code:
        return None
    return (
        Commune.objects.select_related("department__region", "epci", "ept")
        .filter(insee_code=code, kind__in=(Commune.Kind.CURRENT, Commune.Kind.MUNICIPAL_DISTRICT))
        .first()
    )


# The aid page -------------------------------------------------------------------------------------------


def aid_context(aid, request):
    """What the aid page shows besides its fields: its status, the projects it funded with their amounts
    and total, and, with `?commune=<insee>`, how that commune meets each rule."""
    projects = public(ProjectPage.objects.live()).filter(locale__language_code="fr")
    funded = list(
        ProjectFundingLine.objects.filter(aid__translation_key=aid.translation_key, page__in=projects)
        .select_related("page__commune")
        .order_by("-amount", "pk")
    )
    shown = dict(zip((line.page_id for line in funded), localized_list([line.page for line in funded]), strict=True))
    for line in funded:
        line.project = shown[line.page_id]
    commune = commune_of(request.GET.get("commune")) if request is not None else None
    return {
        "aid_status": status_of(aid),
        "aid_status_label": status_label(status_of(aid)),
        "funded_lines": funded,
        "funded_total": sum((line.amount for line in funded), start=0),
        "commune": commune,
        "criteria": assess(aid, commune) if commune else [],
        "programmes_of_aid": list(aid.programmes.all()),
        "beneficiary_labels": AidPage._meta.get_field("beneficiaries").labels(aid.beneficiaries),
        "nature_labels": AidPage._meta.get_field("natures").labels(aid.natures),
    }
