"""Reminders to the editors of financing aids (issue, point 7): 14 days before an aid closes, and on the day
its last verification turns six months old; each once, to real addresses, with absolute links."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from wagtail.models import Locale

from resources import aid_reminders
from resources.aid_reminders import verified_dates_stale_on
from resources.aid_tasks import send_aid_reminders
from resources.models import AidIndexPage, AidPage

PARIS = ZoneInfo("Europe/Paris")
# The tests' today (never the real one): a Saturday 28 February, the last day of a short month.
TODAY = datetime.date(2026, 2, 28)
IN_14_DAYS = datetime.date(2026, 3, 14)


@pytest.fixture
def clock():
    with time_machine.travel(datetime.datetime(2026, 2, 28, 7, 30, tzinfo=PARIS), tick=False) as traveller:
        yield traveller


@pytest.fixture
def aid_index(core_site):
    index = core_site.add_child(instance=AidIndexPage(title="Aides", slug="aides"))
    index.save_revision().publish()
    return index


@pytest.fixture
def people(django_user_model):
    make = django_user_model.objects.create_user
    return {
        "author": make("autrice", "autrice@centralites.fr", "mot-de-passe-solide", first_name="Alix"),
        "owner": make("proprio", "proprio@centralites.fr", "mot-de-passe-solide", first_name="Basile"),
        "retired": make("partie", "partie@centralites.fr", "mot-de-passe-solide", is_active=False),
        "no_email": make("sansmail", "", "mot-de-passe-solide"),
        "twin": make("jumelle", "AUTRICE@centralites.fr", "mot-de-passe-solide"),
    }


def make_aid(index, slug, *, savers=(), owner=None, live=True, **fields):
    values = {
        "title": f"Aide {slug}",
        "slug": slug,
        "summary": "Finance les études préalables.",
        "funders": "Banque des Territoires",
        "funder_type": "etat",
        "natures": ["subvention"],
        "beneficiaries": ["commune"],
        "owner": owner,
    }
    values.update(fields)
    aid = index.add_child(instance=AidPage(**values))
    revision = None
    for user in savers or (None,):
        revision = aid.save_revision(user=user)
    if live:
        revision.publish()
    else:
        AidPage.objects.filter(pk=aid.pk).update(live=False)
    return AidPage.objects.get(pk=aid.pk)


def received(smtp_server):
    return [(record["to"], record["message"]) for record in smtp_server.messages]


def subject_of(message):
    """The decoded subject, its folding whitespace collapsed (a long encoded header is folded)."""
    return " ".join(str(message["Subject"]).split())


def html_of(message):
    return message.get_body(preferencelist=("html",)).get_content()


def text_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def run(day=None):
    out = io.StringIO()
    args = ["--date", day.isoformat()] if day else []
    call_command("send_aid_reminders", *args, stdout=out)
    return out.getvalue()


def test_fourteen_days_before_closing_each_editor_gets_one_email_with_absolute_links(
    smtp_server, clock, aid_index, people, settings
):
    aid = make_aid(
        aid_index,
        "fonds-friches",
        title="Fonds friches",
        closes_on=IN_14_DAYS,
        owner=people["owner"],
        # Saved by the author (twice), by someone who left, by an account without address, and by the
        # author's second account with the same address in capitals.
        savers=[people["author"], people["retired"], people["no_email"], people["author"], people["twin"]],
    )

    assert run() == "2 rappel(s) envoyé(s), 0 déjà envoyé(s).\n"

    messages = received(smtp_server)
    assert sorted(to for to, _message in messages) == [["autrice@centralites.fr"], ["proprio@centralites.fr"]]
    page_url = f"{settings.SITE_BASE_URL}/fr/aides/fonds-friches/"
    edit_url = f"{settings.SITE_BASE_URL}/admin/pages/{aid.pk}/edit/"
    for _to, message in messages:
        assert subject_of(message) == "Aide « Fonds friches » : clôture dans 14 jours"
        text = text_of(message)
        assert "L’aide « Fonds friches » ferme dans 14 jours, le 14 mars 2026." in text
        assert page_url in text and edit_url in text
        assert "parce que vous avez créé ou modifié cette aide" in text
        html = html_of(message)
        assert f'href="{page_url}"' in html and f'href="{edit_url}"' in html
        assert "14 mars 2026" in html
    by_address = {to[0]: message for to, message in messages}
    assert text_of(by_address["autrice@centralites.fr"]).startswith("Bonjour Alix,")
    assert text_of(by_address["proprio@centralites.fr"]).startswith("Bonjour Basile,")


@pytest.mark.parametrize("days", [13, 15, 0, -1])
def test_other_days_before_closing_send_nothing(smtp_server, clock, aid_index, people, days):
    make_aid(aid_index, "autre-jour", closes_on=TODAY + datetime.timedelta(days=days), savers=[people["author"]])
    assert run() == "0 rappel(s) envoyé(s), 0 déjà envoyé(s).\n"
    assert smtp_server.messages == []


def test_a_permanent_aid_gets_no_closing_reminder(smtp_server, clock, aid_index, people):
    aid = make_aid(aid_index, "permanente", permanent=True, savers=[people["author"]])
    # Even with a closing date that came in without the form's check (an import).
    AidPage.objects.filter(pk=aid.pk).update(closes_on=IN_14_DAYS)
    assert run().startswith("0 rappel(s)")
    assert smtp_server.messages == []


def test_an_unpublished_or_draft_aid_gets_no_reminder(smtp_server, clock, aid_index, people):
    withdrawn = make_aid(
        aid_index,
        "retiree",
        closes_on=IN_14_DAYS,
        last_verified_on=datetime.date(2025, 8, 28),
        savers=[people["author"]],
    )
    withdrawn.unpublish()
    make_aid(aid_index, "brouillon", closes_on=IN_14_DAYS, savers=[people["author"]], live=False)
    assert run().startswith("0 rappel(s)")
    assert smtp_server.messages == []


def test_verified_exactly_six_months_ago_gets_one_reverification_email(smtp_server, clock, aid_index, people, settings):
    aid = make_aid(
        aid_index,
        "verifiee",
        title="Petites villes de demain : ingénierie & études",
        last_verified_on=datetime.date(2025, 8, 31),  # 31 August + 6 months = 28 February (2026 is not leap)
        savers=[people["author"]],
    )
    make_aid(aid_index, "trop-tot", last_verified_on=datetime.date(2025, 9, 1), savers=[people["author"]])
    make_aid(aid_index, "deja-passe", last_verified_on=datetime.date(2025, 8, 27), savers=[people["author"]])
    make_aid(aid_index, "jamais-verifiee", savers=[people["author"]])
    # Closed already: nothing left to verify.
    make_aid(
        aid_index,
        "close",
        closes_on=datetime.date(2026, 2, 27),
        last_verified_on=datetime.date(2025, 8, 31),
        savers=[people["author"]],
    )

    assert run() == "1 rappel(s) envoyé(s), 0 déjà envoyé(s).\n"

    [(to, message)] = received(smtp_server)
    assert to == ["autrice@centralites.fr"]
    assert subject_of(message) == (
        "Aide « Petites villes de demain : ingénierie & études » : à revérifier (dernière vérification le 31 août 2025)"
    )
    text = text_of(message)
    assert "vérifiées pour la dernière fois le 31 août 2025, il y a six mois" in text
    assert f"{settings.SITE_BASE_URL}/fr/aides/verifiee/" in text
    assert f"{settings.SITE_BASE_URL}/admin/pages/{aid.pk}/edit/" in text
    assert "« Petites villes de demain : ingénierie &amp; études »" in html_of(message)


@pytest.mark.parametrize(
    "day, verified",
    [
        (datetime.date(2026, 2, 28), [datetime.date(2025, 8, d) for d in (28, 29, 30, 31)]),
        (datetime.date(2028, 2, 29), [datetime.date(2027, 8, d) for d in (29, 30, 31)]),
        (datetime.date(2028, 2, 28), [datetime.date(2027, 8, 28)]),
        (datetime.date(2026, 9, 15), [datetime.date(2026, 3, 15)]),
        (datetime.date(2026, 3, 31), []),  # 30 September + 6 months is 30 March
        (datetime.date(2026, 4, 30), [datetime.date(2025, 10, 30), datetime.date(2025, 10, 31)]),
    ],
)
def test_six_calendar_months(day, verified):
    assert verified_dates_stale_on(day) == verified
    assert all(aid_reminders.stale_on(date) == day for date in verified)


def test_running_twice_the_same_day_sends_nothing_more(smtp_server, clock, aid_index, people):
    make_aid(
        aid_index,
        "deux-raisons",
        closes_on=IN_14_DAYS,
        last_verified_on=datetime.date(2025, 8, 31),
        owner=people["owner"],
        savers=[people["author"]],
    )
    assert run() == "4 rappel(s) envoyé(s), 0 déjà envoyé(s).\n"  # two reasons, two editors
    clock.shift(datetime.timedelta(hours=10))  # the evening run
    assert run() == "0 rappel(s) envoyé(s), 4 déjà envoyé(s).\n"
    assert send_aid_reminders.enqueue().return_value == 0  # the task, too (immediate backend in tests)
    assert len(smtp_server.messages) == 4
    subjects = sorted(subject_of(message) for _to, message in received(smtp_server))
    assert subjects.count("Aide « Aide deux-raisons » : clôture dans 14 jours") == 2

    # The next day nothing is due any more.
    clock.shift(datetime.timedelta(days=1))
    assert run().startswith("0 rappel(s)")
    assert len(smtp_server.messages) == 4


def test_the_task_and_the_date_option(smtp_server, clock, aid_index, people):
    make_aid(aid_index, "plus-tard", closes_on=datetime.date(2026, 3, 20), savers=[people["author"]])
    assert send_aid_reminders.enqueue().return_value == 0  # not due today
    assert send_aid_reminders.enqueue("2026-03-06").return_value == 1
    assert run(datetime.date(2026, 3, 6)).startswith("0 rappel(s) envoyé(s), 1 déjà envoyé(s)")
    assert len(smtp_server.messages) == 1
    with pytest.raises(CommandError):
        call_command("send_aid_reminders", "--date", "06/03/2026")


def test_translations_share_the_dates_and_send_nothing_more(smtp_server, clock, aid_index, people):
    aid = make_aid(aid_index, "traduite", closes_on=IN_14_DAYS, savers=[people["author"]])
    english = aid.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
    english.save_revision(user=people["owner"]).publish()
    assert AidPage.objects.filter(closes_on=IN_14_DAYS).live().count() == 2
    run()
    assert [to for to, _message in received(smtp_server)] == [["autrice@centralites.fr"]]


def test_without_reachable_editors_the_editor_groups_are_told(smtp_server, clock, aid_index, people, django_user_model):
    editors, moderators = Group.objects.get(name="Editors"), Group.objects.get(name="Moderators")
    editor = django_user_model.objects.create_user("redac", "redaction@centralites.fr", "mot-de-passe-solide")
    editor.groups.add(editors)
    moderator = django_user_model.objects.create_user("modo", "moderation@centralites.fr", "mot-de-passe-solide")
    moderator.groups.add(moderators)
    asleep = django_user_model.objects.create_user("dort", "dort@centralites.fr", "x", is_active=False)
    asleep.groups.add(editors)
    django_user_model.objects.create_superuser("cheffe", "cheffe@centralites.fr", "mot-de-passe-solide")
    # Imported: no revision by anyone, and its only owner has left.
    make_aid(aid_index, "importee", closes_on=IN_14_DAYS, owner=people["retired"], savers=[people["retired"]])

    assert run().startswith("2 rappel(s)")
    messages = received(smtp_server)
    assert sorted(to[0] for to, _message in messages) == ["moderation@centralites.fr", "redaction@centralites.fr"]
    assert all("comme éditeur ou éditrice du site" in text_of(message) for _to, message in messages)


def test_superusers_are_the_last_resort(smtp_server, clock, aid_index, django_user_model):
    for group in Group.objects.filter(name__in=["Editors", "Moderators"]):
        group.user_set.clear()
    django_user_model.objects.create_superuser("cheffe", "cheffe@centralites.fr", "mot-de-passe-solide")
    make_aid(aid_index, "orpheline", closes_on=IN_14_DAYS)
    run()
    assert [to for to, _message in received(smtp_server)] == [["cheffe@centralites.fr"]]


def test_a_refused_message_is_sent_by_the_next_run(smtp_server, clock, aid_index, people):
    make_aid(aid_index, "refusee", closes_on=IN_14_DAYS, owner=people["owner"], savers=[people["author"]])

    async def refuse_the_owner(server, session, envelope, address, rcpt_options):
        if address == "proprio@centralites.fr":
            return "550 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp_server.handle_RCPT = refuse_the_owner  # the server refuses one address, once
    with pytest.raises(CommandError, match="relancez la commande avec --date 2026-02-28"):
        run()
    assert [to for to, _message in received(smtp_server)] == [["autrice@centralites.fr"]]

    del smtp_server.handle_RCPT
    assert run() == "1 rappel(s) envoyé(s), 1 déjà envoyé(s).\n"
    assert sorted(to[0] for to, _message in received(smtp_server)) == [
        "autrice@centralites.fr",
        "proprio@centralites.fr",
    ]
