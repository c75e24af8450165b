"""Reminders to the editors of financing aids (issue, point 7).

A daily run (`manage.py send_aid_reminders`, or the `resources.aid_tasks.send_aid_reminders` task) emails
the editors of each live aid:

- its closing reminder, once its closing date (`closes_on`) is 14 days away or less (never a permanent
  aid, nor one already closed): on the 14th day before it normally, but a day without a run, or a closing
  date set less than 14 days ahead, still gets one at the next run, which says how many days are left;
- its verification reminder, once its last verification (`last_verified_on`) is six calendar months old
  or more (a verification of 31 August is stale on 28, or 29, February; of 15 March on 15 September), as
  long as it is not closed (a permanent aid never is). An aid without a verification date gets none.

Only the French originals are read: their translations share the dates (they are synchronised fields).

Who the editors are: the active users with an email address who saved a revision of the page, and its
owner. When there are none (an imported aid, its authors gone), the active members of the groups allowed
to edit or publish the page (Wagtail's page permissions on it or an ancestor: the "Editors" and
"Moderators" groups of `hub.demo.ensure_moderation_workflow`), and as a last resort the superusers.

Each reminder is sent once per date, through the database: the aid records the closing date its closing
reminder was sent for (`closing_reminder_for`), and the verification date its verification reminder was
sent for (`verification_reminder_for`). A reminder is due while the recorded date differs from the aid's
current one, so a closing date moved, or a new verification, makes a new one due. A second run the same
day, or the day after, finds nothing due; two runs at the same time cannot both send (see `claim`).
"""

import datetime
import logging
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.template import engines
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.models import Locale
from wagtail.permission_policies.pages import PagePermissionPolicy

from hub.emails import email_context, mjml_to_html
from resources.models import AidPage

logger = logging.getLogger(__name__)

CLOSING = "cloture"
STALE = "verification"
CLOSING_NOTICE = datetime.timedelta(days=14)
STALE_AFTER = relativedelta(months=6)
# Per reason: the aid's date the reminder is about, and the field recording the date it was sent for.
REMINDED_DATE = {CLOSING: "closes_on", STALE: "last_verified_on"}
REMINDER_FOR = {CLOSING: "closing_reminder_for", STALE: "verification_reminder_for"}

# The two parts of every reminder, in the project's email layout (templates/emails/base.*). French only,
# like the admin the editors work in.
MJML_TEMPLATE = """{% extends "emails/base.mjml" %}
{% block title %}{{ subject }}{% endblock %}
{% block preheader %}{{ subject }}{% endblock %}
{% block content %}
<mj-text>
  <p>Bonjour{% if name %} {{ name }}{% endif %},</p>
  {% if reason == "cloture" %}
  <p>L’aide « {{ title }} » ferme {% if days == 0 %}aujourd’hui{% elif days == 1 %}demain{% else %}dans \
{{ days }} jours{% endif %}, le {{ closes_on|date:"j F Y" }}.</p>
  <p>Vérifiez que sa date de clôture et ses informations sont toujours justes ; si l’aide est reconduite,
  mettez à jour son calendrier.</p>
  {% else %}
  <p>Les informations de l’aide « {{ title }} » ont été vérifiées pour la dernière fois le
  {{ last_verified_on|date:"j F Y" }}, il y a {% if exactly_six_months %}six{% else %}plus de six{% endif %} mois.</p>
  <p>Revérifiez-les auprès de sa source, puis mettez à jour la date de dernière vérification.</p>
  {% endif %}
  <p><a href="{{ page_url }}">Voir l’aide sur le site</a></p>
</mj-text>
<mj-button href="{{ edit_url }}" align="left">Modifier l’aide dans l’administration</mj-button>
<mj-text css-class="muted" font-size="14px" color="#666666">
  <p>{% if fallback %}Vous recevez ce message comme éditeur ou éditrice du site : personne n’a encore modifié
  cette aide.{% else %}Vous recevez ce message parce que vous avez créé ou modifié cette aide.{% endif %}</p>
</mj-text>
{% endblock %}
"""

TEXT_TEMPLATE = """{% extends "emails/base.txt" %}{% block content %}Bonjour{% if name %} {{ name }}{% endif %},

{% if reason == "cloture" %}L’aide « {{ title }} » ferme {% if days == 0 %}aujourd’hui{% elif days == 1 %}demain\
{% else %}dans {{ days }} jours{% endif %}, le {{ closes_on|date:"j F Y" }}.

Vérifiez que sa date de clôture et ses informations sont toujours justes ; si l’aide est reconduite, mettez à jour \
son calendrier.{% else %}Les informations de l’aide « {{ title }} » ont été vérifiées pour la dernière fois le \
{{ last_verified_on|date:"j F Y" }}, il y a {% if exactly_six_months %}six{% else %}plus de six{% endif %} mois.

Revérifiez-les auprès de sa source, puis mettez à jour la date de dernière vérification.{% endif %}

Voir l’aide sur le site :
{{ page_url }}

Modifier l’aide dans l’administration :
{{ edit_url }}

{% if fallback %}Vous recevez ce message comme éditeur ou éditrice du site : personne n’a encore modifié cette aide.\
{% else %}Vous recevez ce message parce que vous avez créé ou modifié cette aide.{% endif %}{% endblock %}
"""


@dataclass
class Outcome:
    """What a run did, counted in reminders (one aid, one reason) and in emails (one per recipient).

    - `reminders`: reminders this run sent (to at least one recipient; recorded as sent);
    - `sent`: the emails that left, `details` their (aid pk, reason, address);
    - `released`: reminders no recipient could be sent, given back to the next run;
    - `undelivered`: emails that failed within reminders other recipients did receive (not sent again);
    - `skipped`: reminders another run, at the same time, claimed first.
    """

    reminders: int = 0
    sent: int = 0
    released: int = 0
    undelivered: int = 0
    skipped: int = 0
    details: list = field(default_factory=list)


def stale_on(verified_on):
    """The day a verification made on `verified_on` becomes six calendar months old."""
    return verified_on + STALE_AFTER


def last_stale_verification(day):
    """The latest verification date that is six months old or more on `day`: the verifications stale on
    `day` are exactly those made on this date or before (at the end of a short month, several dates turn
    stale the same day: 28 to 31 August all on 28 February)."""
    latest = day - STALE_AFTER
    while stale_on(latest + datetime.timedelta(days=1)) <= day:
        latest += datetime.timedelta(days=1)
    return latest


def live_aids():
    """The live French originals (their translations share the dates)."""
    return AidPage.objects.live().filter(locale=Locale.get_default())


def due_reminders(day):
    """(aid, reason) for every reminder due on `day` and not yet sent for the aid's current date, closings
    first, each list by title."""
    closing = (
        live_aids()
        .filter(permanent=False, closes_on__gte=day, closes_on__lte=day + CLOSING_NOTICE)
        .exclude(closing_reminder_for=F("closes_on"))
        .order_by("title", "pk")
    )
    stale = (
        live_aids()
        .filter(last_verified_on__lte=last_stale_verification(day))
        .filter(Q(closes_on__isnull=True) | Q(closes_on__gte=day) | Q(permanent=True))  # closed: nothing to verify
        .exclude(verification_reminder_for=F("last_verified_on"))
        .order_by("title", "pk")
    )
    return [(aid, CLOSING) for aid in closing] + [(aid, STALE) for aid in stale]


def claim(aid, reason):
    """Records, in one conditional UPDATE, that the reminder for the aid's current date is being sent; True
    when this run owns it, False when another run recorded it first (the database serialises the two)."""
    date = getattr(aid, REMINDED_DATE[reason])
    recorded = REMINDER_FOR[reason]
    return AidPage.objects.filter(pk=aid.pk).exclude(**{recorded: date}).update(**{recorded: date}) == 1


def release(aid, reason):
    """Gives a claim back (the recorded date as it was before `claim`), for the next run to send it."""
    recorded = REMINDER_FOR[reason]
    AidPage.objects.filter(pk=aid.pk, **{recorded: getattr(aid, REMINDED_DATE[reason])}).update(
        **{recorded: getattr(aid, recorded)}
    )


def _reachable(users):
    return users.filter(is_active=True).exclude(email="").order_by("pk")


def _once_per_address(users):
    seen, chosen = set(), []
    for user in users:
        address = user.email.strip().lower()
        if address and address not in seen:
            seen.add(address)
            chosen.append(user)
    return chosen


def aid_editors(aid):
    """(users, fallback): who saved a revision of the aid or owns it; failing them, the members of the groups
    that may edit or publish it, then the superusers (`fallback` is then True). Active, with an email,
    each address once."""
    user_model = get_user_model()
    ids = set(aid.revisions.exclude(user=None).values_list("user_id", flat=True))
    if aid.owner_id:
        ids.add(aid.owner_id)
    editors = _once_per_address(_reachable(user_model.objects.filter(pk__in=ids)))
    if editors:
        return editors, False
    allowed = PagePermissionPolicy().users_with_any_permission_for_instance(
        {"change", "publish"}, aid, include_superusers=False
    )
    editors = _once_per_address(_reachable(user_model.objects.filter(pk__in=allowed.values("pk"))))
    if not editors:
        editors = _once_per_address(_reachable(user_model.objects.filter(is_superuser=True)))
    return editors, True


def page_link(aid):
    """The aid's public address under SITE_BASE_URL (never the Site record's hostname)."""
    parts = aid.get_url_parts()
    return settings.SITE_BASE_URL + (parts[2] if parts else "/")


def edit_link(aid):
    return settings.SITE_BASE_URL + reverse("wagtailadmin_pages:edit", args=[aid.pk])


def days_left(aid, day):
    return (aid.closes_on - day).days


def reminder_subject(aid, reason, day):
    with translation.override("fr"):
        if reason == CLOSING:
            days = days_left(aid, day)
            if days == 0:
                return _("Aide « %(title)s » : clôture aujourd'hui") % {"title": aid.title}
            if days == 1:
                return _("Aide « %(title)s » : clôture demain") % {"title": aid.title}
            return ngettext(
                "Aide « %(title)s » : clôture dans %(days)d jour",
                "Aide « %(title)s » : clôture dans %(days)d jours",
                days,
            ) % {"title": aid.title, "days": days}
        return _("Aide « %(title)s » : à revérifier (dernière vérification le %(date)s)") % {
            "title": aid.title,
            "date": date_format(aid.last_verified_on, "j F Y"),
        }


def reminder_email(aid, reason, user, fallback=False, connection=None, day=None):
    """The reminder one editor receives on `day` (today by default): plain text and HTML, in French, every
    link absolute."""
    day = day or timezone.localdate()
    subject = reminder_subject(aid, reason, day)
    context = email_context(
        {
            "subject": subject,
            "reason": reason,
            "name": user.first_name.strip(),
            "title": aid.title,
            "closes_on": aid.closes_on,
            "days": days_left(aid, day) if reason == CLOSING else None,
            "last_verified_on": aid.last_verified_on,
            "exactly_six_months": reason == STALE and stale_on(aid.last_verified_on) == day,
            "page_url": page_link(aid),
            "edit_url": edit_link(aid),
            "fallback": fallback,
        }
    )
    engine = engines["django"]
    with translation.override("fr"):
        html = mjml_to_html(engine.from_string(MJML_TEMPLATE).render(context))
        text = engine.from_string(TEXT_TEMPLATE).render(context).strip() + "\n"
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email], connection=connection
    )
    message.attach_alternative(html, "text/html")
    return message


def send_due_reminders(day=None):
    """Sends the reminders due on `day` (today, in the site's time zone, by default); returns an Outcome.

    Each reminder is claimed (`claim`) before its first email, so that it is sent by one run only. Then:

    - if its email failed for every recipient, the claim is released: the next run (the same day or a later
      one, the reminder being still due) sends it again;
    - if it failed for some recipients only, the claim is kept and the failures are logged: the others
      received it, and sending it again would give them a second copy;
    - an aid with no one to tell (no active user with an address at all) is logged and left unclaimed.
    """
    day = day or timezone.localdate()
    outcome = Outcome()
    due = due_reminders(day)
    if not due:
        return outcome
    connection = get_connection()  # opened at the first message, shared by the others
    try:
        for aid, reason in due:
            editors, fallback = aid_editors(aid)
            if not editors:
                logger.warning("Aid reminder %s for page %s: nobody to send it to", reason, aid.pk)
                continue
            if not claim(aid, reason):
                outcome.skipped += 1
                continue
            sent, failed = [], 0
            for user in editors:
                try:
                    connection.open()
                    reminder_email(aid, reason, user, fallback, connection, day).send()
                except Exception:  # noqa: BLE001 — one refused message must not stop the others
                    connection.close()  # a broken connection is opened again for the next message
                    failed += 1
                    logger.exception("Aid reminder %s for page %s to user %s not sent", reason, aid.pk, user.pk)
                    continue
                sent.append((aid.pk, reason, user.email))
            if not sent:
                release(aid, reason)
                outcome.released += 1
                logger.error("Aid reminder %s for page %s reached nobody: left for the next run", reason, aid.pk)
                continue
            outcome.reminders += 1
            outcome.sent += len(sent)
            outcome.details += sent
            if failed:
                outcome.undelivered += failed
                logger.error(
                    "Aid reminder %s for page %s not delivered to %d of %d recipients; not sent again",
                    reason,
                    aid.pk,
                    failed,
                    len(editors),
                )
    finally:
        connection.close()
    return outcome
