"""Reminders to the editors of financing aids (issue, point 7): once an aid closes in 14 days or less, and once
its last verification is six months old or more; each once per date (recorded on the aid, so a missed day is
caught up), to real addresses, with absolute links."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from wagtail.models import Locale

from resources import aid_reminders
from resources.aid_reminders import CLOSING, STALE, last_stale_verification
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


def summary(reminders, emails, skipped=0):
    return f"{reminders} rappel(s) envoyé(s) ({emails} e-mail(s)), {skipped} déjà envoyé(s) par un autre passage.\n"


NOTHING = summary(0, 0)


def on(clock, day):
    """The clock moves to 7:30 (Paris) on `day`: the daily run's time."""
    clock.move_to(datetime.datetime.combine(day, datetime.time(7, 30), tzinfo=PARIS))


def recorded(aid):
    """(closing_reminder_for, verification_reminder_for) as the database has them."""
    return AidPage.objects.values_list("closing_reminder_for", "verification_reminder_for").get(pk=aid.pk)


def edit(aid, user, **fields):
    """An editor changes the aid and publishes it."""
    page = AidPage.objects.get(pk=aid.pk)
    for name, value in fields.items():
        setattr(page, name, value)
    page.save_revision(user=user).publish()


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

    assert run() == "1 rappel(s) envoyé(s) (2 e-mail(s)), 0 déjà envoyé(s) par un autre passage.\n"

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
        assert "ferme dans 14 jours, le 14 mars 2026" in html
    by_address = {to[0]: message for to, message in messages}
    assert text_of(by_address["autrice@centralites.fr"]).startswith("Bonjour Alix,")
    assert text_of(by_address["proprio@centralites.fr"]).startswith("Bonjour Basile,")
    assert recorded(aid) == (IN_14_DAYS, None)  # sent for this closing date


@pytest.mark.parametrize(
    "days, subject_end, sentence",
    [
        (14, "clôture dans 14 jours", "ferme dans 14 jours, le 14 mars 2026."),
        (13, "clôture dans 13 jours", "ferme dans 13 jours, le 13 mars 2026."),
        (2, "clôture dans 2 jours", "ferme dans 2 jours, le 2 mars 2026."),
        (1, "clôture demain", "ferme demain, le 1 mars 2026."),
        (0, "clôture aujourd'hui", "ferme aujourd’hui, le 28 février 2026."),
    ],
)
def test_a_closing_date_less_than_14_days_away_gets_its_reminder_with_the_days_left(
    smtp_server, clock, aid_index, people, days, subject_end, sentence
):
    make_aid(aid_index, "bientot", closes_on=TODAY + datetime.timedelta(days=days), savers=[people["author"]])
    assert run() == summary(1, 1)
    [(_to, message)] = received(smtp_server)
    assert subject_of(message) == f"Aide « Aide bientot » : {subject_end}"
    assert f"L’aide « Aide bientot » {sentence}" in text_of(message)
    assert sentence in html_of(message)


@pytest.mark.parametrize("days", [15, 20, -1])
def test_a_closing_date_further_than_14_days_or_past_sends_nothing(smtp_server, clock, aid_index, people, days):
    aid = make_aid(aid_index, "autre-jour", closes_on=TODAY + datetime.timedelta(days=days), savers=[people["author"]])
    assert run() == NOTHING
    assert smtp_server.messages == []
    assert recorded(aid) == (None, None)


def test_a_permanent_aid_gets_no_closing_reminder(smtp_server, clock, aid_index, people):
    aid = make_aid(aid_index, "permanente", permanent=True, savers=[people["author"]])
    # Even with a closing date that came in without the form's check (an import).
    AidPage.objects.filter(pk=aid.pk).update(closes_on=IN_14_DAYS)
    assert run() == NOTHING
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
    assert run() == NOTHING
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
    reminded = make_aid(
        aid_index, "deja-rappelee", last_verified_on=datetime.date(2025, 8, 27), savers=[people["author"]]
    )
    AidPage.objects.filter(pk=reminded.pk).update(verification_reminder_for=datetime.date(2025, 8, 27))
    make_aid(aid_index, "jamais-verifiee", savers=[people["author"]])

    assert run() == summary(1, 1)

    [(to, message)] = received(smtp_server)
    assert to == ["autrice@centralites.fr"]
    assert subject_of(message) == (
        "Aide « Petites villes de demain : ingénierie & études » : à revérifier (dernière vérification le 31 août 2025)"
    )
    text = text_of(message)
    assert "vérifiées pour la dernière fois le 31 août 2025, il y a six mois." in text
    assert f"{settings.SITE_BASE_URL}/fr/aides/verifiee/" in text
    assert f"{settings.SITE_BASE_URL}/admin/pages/{aid.pk}/edit/" in text
    assert "« Petites villes de demain : ingénierie &amp; études »" in html_of(message)
    assert recorded(aid) == (None, datetime.date(2025, 8, 31))


def test_a_verification_older_than_six_months_never_reminded_gets_one_reminder(smtp_server, clock, aid_index, people):
    aid = make_aid(aid_index, "oubliee", last_verified_on=datetime.date(2025, 6, 3), savers=[people["author"]])
    assert run() == summary(1, 1)
    [(_to, message)] = received(smtp_server)
    assert "vérifiées pour la dernière fois le 3 juin 2025, il y a plus de six mois." in text_of(message)
    assert "il y a plus de six mois" in html_of(message)
    assert recorded(aid) == (None, datetime.date(2025, 6, 3))

    on(clock, TODAY + datetime.timedelta(days=1))
    assert run() == NOTHING
    assert len(smtp_server.messages) == 1


def test_a_closed_aid_gets_no_verification_reminder(smtp_server, clock, aid_index, people):
    stale = datetime.date(2025, 7, 1)
    make_aid(
        aid_index,
        "close",
        closes_on=TODAY - datetime.timedelta(days=1),
        last_verified_on=stale,
        savers=[people["author"]],
    )
    assert run() == NOTHING
    # Open until its closing date (today included), or permanent: still to be verified.
    make_aid(aid_index, "ferme-ce-soir", closes_on=TODAY, last_verified_on=stale, savers=[people["author"]])
    make_aid(aid_index, "permanente", permanent=True, last_verified_on=stale, savers=[people["author"]])
    assert run() == summary(3, 3)  # ferme-ce-soir: its closing and its verification
    subjects = sorted(subject_of(message) for _to, message in received(smtp_server))
    assert subjects == [
        "Aide « Aide ferme-ce-soir » : clôture aujourd'hui",
        "Aide « Aide ferme-ce-soir » : à revérifier (dernière vérification le 1 juillet 2025)",
        "Aide « Aide permanente » : à revérifier (dernière vérification le 1 juillet 2025)",
    ]


@pytest.mark.parametrize(
    "day, latest",
    [
        (datetime.date(2026, 2, 28), datetime.date(2025, 8, 31)),  # 28 to 31 August all turn stale that day
        (datetime.date(2028, 2, 29), datetime.date(2027, 8, 31)),  # 29 to 31 August, in a leap year
        (datetime.date(2028, 2, 28), datetime.date(2027, 8, 28)),
        (datetime.date(2026, 9, 15), datetime.date(2026, 3, 15)),
        (datetime.date(2026, 3, 31), datetime.date(2025, 9, 30)),  # 30 September + 6 months is 30 March
        (datetime.date(2026, 4, 30), datetime.date(2025, 10, 31)),  # 30 and 31 October both turn stale that day
    ],
)
def test_six_calendar_months(day, latest):
    assert last_stale_verification(day) == latest
    assert aid_reminders.stale_on(latest) <= day < aid_reminders.stale_on(latest + datetime.timedelta(days=1))


def test_running_twice_the_same_day_sends_nothing_more(smtp_server, clock, aid_index, people):
    make_aid(
        aid_index,
        "deux-raisons",
        closes_on=IN_14_DAYS,
        last_verified_on=datetime.date(2025, 8, 31),
        owner=people["owner"],
        savers=[people["author"]],
    )
    assert run() == summary(2, 4)  # two reasons, two editors
    clock.shift(datetime.timedelta(hours=10))  # the evening run
    assert run() == NOTHING
    assert send_aid_reminders.enqueue().return_value == 0  # the task, too (immediate backend in tests)
    assert len(smtp_server.messages) == 4
    subjects = sorted(subject_of(message) for _to, message in received(smtp_server))
    assert subjects.count("Aide « Aide deux-raisons » : clôture dans 14 jours") == 2

    # Nor the next days: both reminders were sent for these dates.
    for _day in range(3):
        clock.shift(datetime.timedelta(days=1))
        assert run() == NOTHING
    assert len(smtp_server.messages) == 4


def test_a_missed_day_is_caught_up_once(smtp_server, clock, aid_index, people):
    make_aid(aid_index, "rattrapee", closes_on=IN_14_DAYS, savers=[people["author"]])
    on(clock, IN_14_DAYS - datetime.timedelta(days=12))  # no run 14 nor 13 days before
    assert run() == summary(1, 1)
    [(_to, message)] = received(smtp_server)
    assert subject_of(message) == "Aide « Aide rattrapee » : clôture dans 12 jours"
    assert "ferme dans 12 jours, le 14 mars 2026." in text_of(message)

    clock.shift(datetime.timedelta(days=1))
    assert run() == NOTHING
    assert len(smtp_server.messages) == 1


def test_a_closing_date_moved_later_gets_a_new_reminder(smtp_server, clock, aid_index, people):
    aid = make_aid(aid_index, "reconduite", closes_on=IN_14_DAYS, savers=[people["author"]])
    assert run() == summary(1, 1)

    clock.shift(datetime.timedelta(days=1))
    edit(aid, people["author"], closes_on=datetime.date(2026, 4, 10))  # renewed
    assert run() == NOTHING  # 41 days ahead

    on(clock, datetime.date(2026, 3, 27))
    assert run() == summary(1, 1)
    clock.shift(datetime.timedelta(days=1))
    assert run() == NOTHING
    assert [subject_of(message) for _to, message in received(smtp_server)] == [
        "Aide « Aide reconduite » : clôture dans 14 jours",
        "Aide « Aide reconduite » : clôture dans 14 jours",
    ]
    assert "le 10 avril 2026." in text_of(received(smtp_server)[1][1])
    assert recorded(aid) == (datetime.date(2026, 4, 10), None)


def test_a_new_verification_gets_a_new_reminder_six_months_later(smtp_server, clock, aid_index, people):
    aid = make_aid(aid_index, "reverifiee", last_verified_on=datetime.date(2025, 8, 31), savers=[people["author"]])
    assert run() == summary(1, 1)

    on(clock, datetime.date(2026, 3, 2))
    edit(aid, people["author"], last_verified_on=datetime.date(2026, 3, 2))
    assert run() == NOTHING
    on(clock, datetime.date(2026, 9, 1))
    assert run() == NOTHING
    on(clock, datetime.date(2026, 9, 2))
    assert run() == summary(1, 1)
    clock.shift(datetime.timedelta(days=1))
    assert run() == NOTHING
    assert [subject_of(message) for _to, message in received(smtp_server)] == [
        "Aide « Aide reverifiee » : à revérifier (dernière vérification le 31 août 2025)",
        "Aide « Aide reverifiee » : à revérifier (dernière vérification le 2 mars 2026)",
    ]


def test_a_draft_saved_before_the_reminder_and_published_after_keeps_it_sent(smtp_server, clock, aid_index, people):
    aid = make_aid(aid_index, "brouillon-en-cours", closes_on=IN_14_DAYS, savers=[people["author"]])
    draft = AidPage.objects.get(pk=aid.pk)
    draft.summary = "Brouillon."
    draft.save_revision(user=people["author"])  # awaiting publication (moderation)
    assert run() == summary(1, 1)

    clock.shift(datetime.timedelta(days=1))
    page = AidPage.objects.get(pk=aid.pk).get_latest_revision_as_object()  # what the admin's edit view does
    page.save_revision(user=people["author"]).publish()
    assert recorded(aid) == (IN_14_DAYS, None)
    assert run() == NOTHING


def test_two_runs_at_once_send_each_reminder_once(smtp_server, clock, aid_index, people, monkeypatch):
    aid = make_aid(aid_index, "concurrente", closes_on=IN_14_DAYS, savers=[people["author"]])
    # A second run read the same due reminders, then the first one claimed and sent them.
    seen_by_the_second_run = aid_reminders.due_reminders(TODAY)
    assert run() == summary(1, 1)
    monkeypatch.setattr(aid_reminders, "due_reminders", lambda day: seen_by_the_second_run)
    assert run() == summary(0, 0, skipped=1)
    assert len(smtp_server.messages) == 1
    assert aid_reminders.claim(aid, CLOSING) is False  # recorded already
    assert aid_reminders.claim(aid, STALE) is False  # no verification date, recorded as none


def test_the_task_and_the_date_option(smtp_server, clock, aid_index, people):
    make_aid(aid_index, "plus-tard", closes_on=datetime.date(2026, 3, 20), savers=[people["author"]])
    assert send_aid_reminders.enqueue().return_value == 0  # 20 days ahead: not due today
    assert send_aid_reminders.enqueue("2026-03-06").return_value == 1
    assert run(datetime.date(2026, 3, 6)) == NOTHING
    assert run(datetime.date(2026, 3, 7)) == NOTHING
    assert len(smtp_server.messages) == 1
    with pytest.raises(CommandError):
        call_command("send_aid_reminders", "--date", "06/03/2026")


def test_translations_share_the_dates_and_send_nothing_more(smtp_server, clock, aid_index, people):
    aid = make_aid(aid_index, "traduite", closes_on=IN_14_DAYS, savers=[people["author"]])
    english = aid.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
    english.save_revision(user=people["owner"]).publish()
    assert AidPage.objects.filter(closes_on=IN_14_DAYS).live().count() == 2
    assert run() == summary(1, 1)
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

    assert run() == summary(1, 2)
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


def refuse(smtp_server, *addresses):
    """The server refuses these recipients until `del smtp_server.handle_RCPT`."""

    async def refuse_them(server, session, envelope, address, rcpt_options):
        if address in addresses:
            return "550 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp_server.handle_RCPT = refuse_them


def test_a_reminder_refused_to_some_recipients_is_kept_and_not_sent_again(smtp_server, clock, aid_index, people):
    aid = make_aid(aid_index, "refusee", closes_on=IN_14_DAYS, owner=people["owner"], savers=[people["author"]])
    refuse(smtp_server, "proprio@centralites.fr")
    with pytest.raises(CommandError, match=r"1 e-mail\(s\) refusé\(s\) .* ne seront pas renvoyés"):
        run()
    assert [to for to, _message in received(smtp_server)] == [["autrice@centralites.fr"]]
    assert recorded(aid) == (IN_14_DAYS, None)

    del smtp_server.handle_RCPT
    assert run() == NOTHING  # the author would get it twice
    assert len(smtp_server.messages) == 1


def test_a_reminder_refused_to_every_recipient_is_sent_by_the_next_run(smtp_server, clock, aid_index, people):
    aid = make_aid(aid_index, "refusee", closes_on=IN_14_DAYS, owner=people["owner"], savers=[people["author"]])
    refuse(smtp_server, "proprio@centralites.fr", "autrice@centralites.fr")
    with pytest.raises(CommandError, match=r"1 rappel\(s\) non envoyé\(s\), aucun destinataire joint"):
        run()
    assert smtp_server.messages == []
    assert recorded(aid) == (None, None)  # given back

    del smtp_server.handle_RCPT
    clock.shift(datetime.timedelta(days=1))  # the next run, the next day
    assert run() == summary(1, 2)
    assert sorted(to[0] for to, _message in received(smtp_server)) == [
        "autrice@centralites.fr",
        "proprio@centralites.fr",
    ]
    assert all(subject_of(message).endswith("clôture dans 13 jours") for _to, message in received(smtp_server))
