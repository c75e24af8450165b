"""The public registration form and the attendee's session change form."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from events.models import QuestionKind
from hub.forms import HoneypotMixin, PersonalDataConsentField
from hub.models import Commune

YES, NO = "oui", "non"


class SessionChoiceField(forms.ModelMultipleChoiceField):
    """The French page's sessions (they hold the seats), labelled with `titles` (translation_key → title
    in the page's language) when the form is shown on a translation."""

    widget = forms.CheckboxSelectMultiple
    titles = None

    def label_from_instance(self, session):
        left = session.seats_left()
        if self.titles and session.translation_key in self.titles:
            session.title = self.titles[session.translation_key]
        label = str(session)
        if left is not None:
            label += " — " + (_("complet") if left == 0 else _("%(n)s place(s) libre(s)") % {"n": left})
        return label


def overlapping_pairs(sessions):
    ordered = sorted(sessions, key=lambda s: (s.start, s.pk))
    return [(a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :] if a.overlaps(b)]


def clean_session_choice(sessions):
    pairs = overlapping_pairs(sessions)
    if pairs:
        first, second = pairs[0]
        raise ValidationError(
            _("« %(a)s » et « %(b)s » ont lieu en même temps : choisissez l'une des deux."),
            params={"a": first.title, "b": second.title},
            code="overlap",
        )
    return sessions


class SessionsMixin:
    def add_sessions_field(self, event, required, display=None):
        sessions = event.ordered_sessions()
        if sessions.exists():
            self.fields["sessions"] = SessionChoiceField(
                queryset=sessions,
                label=_("Sessions"),
                required=required,
                help_text=_("Les sessions qui ont lieu en même temps ne peuvent pas être choisies ensemble."),
                error_messages={
                    "required": _("Choisissez au moins une session."),
                    "invalid_choice": _("Cette session n'existe pas."),
                    "invalid_pk_value": _("Cette session n'existe pas."),
                },
            )
            if display is not None and display.pk != event.pk:
                self.fields["sessions"].titles = dict(display.sessions.values_list("translation_key", "title"))

    def clean_sessions(self):
        return clean_session_choice(list(self.cleaned_data.get("sessions") or []))


class RegistrationForm(SessionsMixin, HoneypotMixin, DsfrBaseForm):
    first_name = forms.CharField(label=_("Prénom"), max_length=100)
    last_name = forms.CharField(label=_("Nom"), max_length=100)
    email = forms.EmailField(
        label=_("Adresse électronique"), help_text=_("Format attendu : nom@domaine.fr"), max_length=254
    )
    organisation = forms.CharField(label=_("Structure"), max_length=200, required=False)
    role = forms.CharField(
        label=_("Fonction"), max_length=200, required=False, help_text=_("Par exemple : manager de centre-ville.")
    )
    commune = forms.CharField(
        label=_("Commune"), max_length=200, required=False, help_text=_("Code INSEE ou nom exact de votre commune.")
    )
    accessibility_needs = forms.CharField(
        label=_("Besoins d'accessibilité"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Interprétation en LSF, accès en fauteuil, régime alimentaire… Facultatif."),
    )
    consent = PersonalDataConsentField(
        label=_(
            "J'accepte que mes coordonnées servent à organiser cet événement. Elles sont anonymisées après "
            "l'événement, dans le délai indiqué par la politique de confidentialité."
        ),
        error_messages={"required": _("Votre accord est nécessaire pour vous inscrire.")},
    )

    field_order = ["first_name", "last_name", "email", "organisation", "role", "commune", "sessions"]

    def __init__(self, *args, event, user=None, display=None, **kwargs):
        """`event`: the French page (seats, sessions, questions' keys and values); `display`: the page the
        visitor reads (an English translation gives the labels). A logged-in member's defaults come in
        `initial` (see views._profile_initial)."""
        super().__init__(*args, **kwargs)
        self.event = event
        self.add_sessions_field(event, required=True, display=display)
        self.questions = list(event.questions.all())
        translated = {}
        if display is not None and display.pk != event.pk and self.questions:
            translated = {q.translation_key: q for q in display.questions.all()}
        for question in self.questions:
            self.fields[f"q_{question.key}"] = self._question_field(question, translated.get(question.translation_key))
        # The consent box comes last, just before the button.
        self.order_fields([*self.field_order, *[f"q_{q.key}" for q in self.questions], "accessibility_needs"])

    @staticmethod
    def _question_field(question, translation=None):
        shown = translation or question
        common = {"label": shown.label, "help_text": shown.help_text, "required": False}
        if question.kind == QuestionKind.LONG:
            return forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), **common)
        if question.kind == QuestionKind.CHOICE:
            values, labels = question.choice_list(), shown.choice_list()
            if len(labels) != len(values):
                labels = values  # a translation that does not list the same choices: the French ones
            choices = [("", "—")] + list(zip(values, labels, strict=True))
            return forms.ChoiceField(choices=choices, **common)
        if question.kind == QuestionKind.YES_NO:
            return forms.ChoiceField(choices=[(YES, _("Oui")), (NO, _("Non"))], widget=forms.RadioSelect, **common)
        return forms.CharField(max_length=300, **common)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_commune(self):
        value = (self.cleaned_data.get("commune") or "").strip()
        if not value:
            return None
        current = Commune.objects.filter(kind=Commune.Kind.CURRENT)
        matches = list(current.filter(insee_code=value.upper())[:2]) or list(current.filter(name__iexact=value)[:2])
        if not matches:
            raise ValidationError(_("Commune inconnue : indiquez son code INSEE ou son nom exact."))
        if len(matches) > 1:
            raise ValidationError(_("Plusieurs communes portent ce nom : indiquez plutôt le code INSEE."))
        return matches[0]

    def clean(self):
        cleaned = super().clean()
        answers = {}
        for question in self.questions:
            name = f"q_{question.key}"
            value = (cleaned.get(name) or "").strip() if isinstance(cleaned.get(name), str) else cleaned.get(name)
            if question.condition_key:
                trigger = answers.get(question.condition_key, "")
                asked = str(trigger).strip().lower() == question.condition_value.strip().lower()
            else:
                asked = True
            if not asked:
                continue  # a conditional question not triggered: its answer, if any, is dropped
            if question.required and not value:
                self.add_error(name, _("Cette question demande une réponse."))
                continue
            if value:
                answers[question.key] = value
        cleaned["answers"] = answers
        return cleaned

    def person_data(self):
        data = {
            key: self.cleaned_data.get(key)
            for key in ("first_name", "last_name", "email", "organisation", "role", "commune", "accessibility_needs")
        }
        data["answers"] = self.cleaned_data.get("answers", {})
        data["consent"] = self.cleaned_data.get("consent")
        return data


class SessionChangeForm(SessionsMixin, DsfrBaseForm):
    def __init__(self, *args, registration, display=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_sessions_field(registration.event, required=True, display=display)
        if "sessions" in self.fields and not self.is_bound:
            self.fields["sessions"].initial = list(registration.sessions.values_list("pk", flat=True))
