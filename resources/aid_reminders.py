"""Reminders to the editors of financing aids (issue, point 7).

A daily run (`manage.py send_aid_reminders`, or the `resources.aid_tasks.send_aid_reminders` task) emails
the editors of each live aid:

- 14 days before its closing date (`closes_on`; never a permanent aid);
- on the day its last verification (`last_verified_on`) becomes six calendar months old: a verification
  of 31 August is stale on 28 (or 29) February, of 15 March on 15 September. An aid without a
  verification date, or already closed, gets no such reminder.

Only the French originals are read: their translations share the dates (they are synchronised fields).

Who the editors are: the active users with an email address who saved a revision of the page, and its
owner. When there are none (an imported aid, its authors gone), the active members of the groups allowed
to edit or publish the page (Wagtail's page permissions on it or an ancestor: the "Editors" and
"Moderators" groups of `hub.demo.ensure_moderation_workflow`), and as a last resort the superusers.

Each person gets each reminder once per aid, reason and day, however many times the run happens: the
claim is a cache key per (aid, reason, day, recipient), taken atomically with `cache.add` before sending
and kept three days (the project's other once-only emails write a row in a model of their own, which this
feature may not add). The cache is Redis in production (`hub.settings.production` requires REDIS_URL),
shared by every process; with the per-process cache of development, two separate runs may both send.
A message that fails to leave gives its claim back, so that another run the same day (or later with
`--date` that day) sends it.
"""

import datetime
import logging
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template import engines
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from wagtail.models import Locale
from wagtail.permission_policies.pages import PagePermissionPolicy

from hub.emails import email_context, mjml_to_html
from resources.models import AidPage

logger = logging.getLogger(__name__)

CLOSING = "cloture"
STALE = "verification"
CLOSING_NOTICE = datetime.timedelta(days=14)
STALE_AFTER = relativedelta(months=6)
# How long a sent reminder is remembered: beyond its day, the same reminder can no longer fall due.
SENT_KEPT_SECONDS = 3 * 24 * 3600

# The two parts of every reminder, in the project's email layout (templates/emails/base.*). French only,
# like the admin the editors work in.
MJML_TEMPLATE = """{% extends "emails/base.mjml" %}
{% block title %}{{ subject }}{% endblock %}
{% block preheader %}{{ subject }}{% endblock %}
{% block content %}
<mj-text>
  <p>Bonjour{% if name %} {{ name }}{% endif %},</p>
  {% if reason == "cloture" %}
  <p>L’aide « {{ title }} » ferme dans 14 jours, le {{ closes_on|date:"j F Y" }}.</p>
  <p>Vérifiez que sa date de clôture et ses informations sont toujours justes ; si l’aide est reconduite,
  mettez à jour son calendrier.</p>
  {% else %}
  <p>Les informations de l’aide « {{ title }} » ont été vérifiées pour la dernière fois le
  {{ last_verified_on|date:"j F Y" }}, il y a six mois.</p>
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

{% if reason == "cloture" %}L’aide « {{ title }} » ferme dans 14 jours, le {{ closes_on|date:"j F Y" }}.

Vérifiez que sa date de clôture et ses informations sont toujours justes ; si l’aide est reconduite, mettez à jour \
son calendrier.{% else %}Les informations de l’aide « {{ title }} » ont été vérifiées pour la dernière fois le \
{{ last_verified_on|date:"j F Y" }}, il y a six mois.

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
    """What a run did: messages sent, messages that failed (their claims given back), already sent."""

    sent: int = 0
    failed: int = 0
    skipped: int = 0
    details: list = field(default_factory=list)


def stale_on(verified_on):
    """The day a verification made on `verified_on` becomes six calendar months old."""
    return verified_on + STALE_AFTER


def verified_dates_stale_on(day):
    """Every verification date that becomes six months old on `day` (none, one, or — at the end of a short
    month — several: 28 to 31 August all turn stale on 28 February)."""
    around = day - STALE_AFTER
    candidates = (around + datetime.timedelta(days=offset) for offset in range(-3, 4))
    return [candidate for candidate in candidates if stale_on(candidate) == day]


def live_aids():
    """The live French originals (their translations share the dates)."""
    return AidPage.objects.live().filter(locale=Locale.get_default())


def due_reminders(day):
    """(aid, reason) for every reminder falling due on `day`, closings first, each list by title."""
    closing = live_aids().filter(permanent=False, closes_on=day + CLOSING_NOTICE).order_by("title", "pk")
    stale = (
        live_aids()
        .filter(last_verified_on__in=verified_dates_stale_on(day))
        .exclude(closes_on__lt=day)  # closed: nothing left to verify
        .order_by("title", "pk")
    )
    return [(aid, CLOSING) for aid in closing] + [(aid, STALE) for aid in stale]


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


def reminder_subject(aid, reason):
    with translation.override("fr"):
        if reason == CLOSING:
            return _("Aide « %(title)s » : clôture dans 14 jours") % {"title": aid.title}
        return _("Aide « %(title)s » : à revérifier (dernière vérification le %(date)s)") % {
            "title": aid.title,
            "date": date_format(aid.last_verified_on, "j F Y"),
        }


def reminder_email(aid, reason, user, fallback=False, connection=None):
    """The reminder one editor receives: plain text and HTML, in French, every link absolute."""
    subject = reminder_subject(aid, reason)
    context = email_context(
        {
            "subject": subject,
            "reason": reason,
            "name": user.first_name.strip(),
            "title": aid.title,
            "closes_on": aid.closes_on,
            "last_verified_on": aid.last_verified_on,
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


def sent_key(aid, reason, day, user):
    return f"aid-reminder:{aid.pk}:{reason}:{day.isoformat()}:{user.pk}"


def send_due_reminders(day=None):
    """Sends the reminders due on `day` (today, in the site's time zone, by default); returns an Outcome."""
    day = day or timezone.localdate()
    outcome = Outcome()
    due = due_reminders(day)
    if not due:
        return outcome
    connection = get_connection()  # opened at the first message, shared by the others
    try:
        for aid, reason in due:
            editors, fallback = aid_editors(aid)
            for user in editors:
                key = sent_key(aid, reason, day, user)
                if not cache.add(key, timezone.now().isoformat(), SENT_KEPT_SECONDS):
                    outcome.skipped += 1
                    continue
                try:
                    connection.open()
                    reminder_email(aid, reason, user, fallback, connection).send()
                except Exception:  # noqa: BLE001 — one refused message must not stop the others
                    cache.delete(key)
                    connection.close()  # a broken connection is opened again for the next message
                    outcome.failed += 1
                    logger.exception("Aid reminder %s for page %s to user %s not sent", reason, aid.pk, user.pk)
                    continue
                outcome.sent += 1
                outcome.details.append((aid.pk, reason, user.email))
    finally:
        connection.close()
    return outcome
