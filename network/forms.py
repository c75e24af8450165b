"""The directory's public forms: application to join, contact relay, own profile, login, account deletion."""

import io

from django import forms
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.core.files.base import ContentFile
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm
from PIL import Image, ImageOps

from hub.dsfr_widgets import CheckboxSelectMultiple, DatalistInput, RadioSelect
from hub.forms import CommuneField, HoneypotMixin, PersonalDataConsentField, check_uploaded_image
from hub.models import Programme, Thematic
from network.models import Member, Organisation, Role, Visibility
from network.tasks import _language, send_password_reset

PHOTO_MAX_SIDE = 600


def _taxonomy_choices(model):
    rows = model.objects.filter(locale__language_code="fr").order_by("sort_order", "name")
    return [(row.pk, row.label if model is Programme else row.name) for row in rows]


# Kept for the imports of other modules: the commune field now lives in hub.forms, shared by every form.
CommuneInput = CommuneField


def _organisation_names():
    return Organisation.objects.order_by("name").values_list("name", flat=True)[:500]


class ApplicationForm(HoneypotMixin, DsfrBaseForm):
    first_name = forms.CharField(label=_("Prénom"), max_length=100)
    last_name = forms.CharField(label=_("Nom"), max_length=100)
    email = forms.EmailField(
        label=_("Adresse électronique professionnelle"),
        help_text=_("Elle sert à vous connecter ; elle n'est jamais affichée dans l'annuaire."),
    )
    role = forms.ChoiceField(label=_("Vous êtes"), choices=[("", _("Choisir"))] + Role.choices)
    job_title = forms.CharField(label=_("Fonction"), max_length=200)
    organisation_name = forms.CharField(
        label=_("Organisation"), max_length=200, widget=DatalistInput(options=lambda: _organisation_names())
    )
    organisation_kind = forms.ChoiceField(
        label=_("Type d'organisation"), choices=[("", _("Choisir"))] + Organisation.Kind.choices
    )
    commune = CommuneField(required=False, label=_("Commune de rattachement"))
    programmes = forms.TypedMultipleChoiceField(
        label=_("Programmes"), required=False, coerce=int, widget=CheckboxSelectMultiple
    )
    motivation = forms.CharField(
        label=_("Ce que vous attendez du réseau"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    visibility = forms.ChoiceField(
        label=_("Visibilité de votre profil"),
        choices=Visibility.choices,
        initial=Visibility.MEMBERS,
        widget=RadioSelect,
    )
    consent_to_appear = forms.BooleanField(
        label=_("J'accepte que mon profil figure dans l'annuaire selon la visibilité choisie"), required=False
    )
    accept_terms = PersonalDataConsentField(
        label=_("J'ai lu la politique de données personnelles et j'accepte le traitement de ma demande")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programmes"].choices = _taxonomy_choices(Programme)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class ContactForm(HoneypotMixin, DsfrBaseForm):
    """The relay form; signed-in members write under their own name and address."""

    sender_name = forms.CharField(label=_("Votre nom"), max_length=150)
    sender_email = forms.EmailField(
        label=_("Votre adresse électronique"), help_text=_("La réponse vous sera adressée directement.")
    )
    subject = forms.CharField(label=_("Objet"), max_length=150)
    message = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user if getattr(user, "is_authenticated", False) else None
        if self.user is not None:
            # The account's identity is used: a member cannot write under someone else's name.
            del self.fields["sender_name"]
            del self.fields["sender_email"]

    def clean_subject(self):
        subject = self.cleaned_data["subject"]
        if "\n" in subject or "\r" in subject or any(ord(char) < 32 for char in subject):
            # An email header holds one line: such a subject would be refused at sending time.
            raise forms.ValidationError(_("L'objet tient sur une seule ligne."), code="line_break")
        return subject

    def sender(self):
        if self.user is not None:
            member = getattr(self.user, "member", None)
            name = member.full_name if member else (self.user.get_full_name() or self.user.get_username())
            return name, self.user.email
        return self.cleaned_data["sender_name"], self.cleaned_data["sender_email"]


class ProfileForm(DsfrBaseForm, forms.ModelForm):
    commune_input = CommuneField(required=False)
    organisation_name = forms.CharField(
        label=_("Organisation"),
        required=False,
        max_length=200,
        widget=DatalistInput(options=_organisation_names),
        help_text=_("Choisissez-la dans la liste, ou tapez le nom d'une organisation qui n'y est pas encore."),
    )
    organisation_kind = forms.ChoiceField(
        label=_("Type d'organisation"),
        required=False,
        choices=[("", _("Choisir"))] + Organisation.Kind.choices,
        help_text=_("Seulement pour une organisation qui n'est pas encore dans la liste."),
    )
    programmes = forms.TypedMultipleChoiceField(
        label=_("Programmes"), required=False, coerce=int, widget=CheckboxSelectMultiple
    )
    thematics = forms.TypedMultipleChoiceField(
        label=_("Thématiques d'expertise"), required=False, coerce=int, widget=CheckboxSelectMultiple
    )
    tags_input = forms.CharField(
        label=_("Mots-clés"),
        required=False,
        max_length=300,
        help_text=_("Séparés par des virgules, par exemple : halles, vitrines, stationnement."),
    )
    remove_photo = forms.BooleanField(label=_("Retirer la photo"), required=False)

    class Meta:
        model = Member
        fields = [
            "first_name",
            "last_name",
            "role",
            "job_title",
            "bio",
            "phone",
            "photo",
            "visibility",
            "consent_to_appear",
            "accepts_messages",
            "language",
        ]
        widgets = {
            "visibility": RadioSelect,
            "language": RadioSelect,
            "photo": forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
            "bio": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "phone": _("Visible des seuls membres connectés."),
            "photo": _("JPEG, PNG ou WebP, 5 Mo au plus ; réduite et allégée à l'envoi."),
        }

    field_order = [
        "first_name",
        "last_name",
        "role",
        "job_title",
        "organisation_name",
        "organisation_kind",
        "commune_input",
        "programmes",
        "thematics",
        "tags_input",
        "bio",
        "phone",
        "photo",
        "remove_photo",
        "visibility",
        "consent_to_appear",
        "accepts_messages",
        "language",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programmes"].choices = _taxonomy_choices(Programme)
        self.fields["thematics"].choices = _taxonomy_choices(Thematic)
        member = self.instance
        if member.pk and not self.is_bound:
            self.initial["commune_input"] = member.commune if member.commune_id else ""
            self.initial["organisation_name"] = member.organisation.name if member.organisation_id else ""
            self.initial["programmes"] = list(member.programmes.values_list("pk", flat=True))
            self.initial["thematics"] = list(member.thematics.values_list("pk", flat=True))
            self.initial["tags_input"] = ", ".join(member.tags.names())
        self.fields["language"].label = _("Langue des courriels du site")
        self.fields["language"].help_text = ""
        self.order_fields(self.field_order)

    def clean(self):
        cleaned = super().clean()
        name = " ".join((cleaned.get("organisation_name") or "").split())
        cleaned["organisation"] = None
        if name:
            existing = Organisation.objects.filter(name__iexact=name).first()
            if existing is not None:
                cleaned["organisation"] = existing
            elif not cleaned.get("organisation_kind"):
                self.add_error(
                    "organisation_kind",
                    _("Indiquez le type de cette organisation, qui n'est pas encore dans la liste."),
                )
            else:
                cleaned["organisation"] = Organisation(name=name[:200], kind=cleaned["organisation_kind"])
        return cleaned

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo is not getattr(self.instance, "photo", None) and hasattr(photo, "content_type"):
            check_uploaded_image(photo)
        return photo

    def clean_tags_input(self):
        names = [name.strip()[:100] for name in self.cleaned_data["tags_input"].split(",")]
        names = [name for name in dict.fromkeys(names) if name]
        if len(names) > 10:
            raise forms.ValidationError(_("Dix mots-clés au plus."))
        return names

    def save(self, commit=True):
        member = super().save(commit=False)
        member.commune = self.cleaned_data.get("commune_input")
        member.department = member.commune.department if member.commune else None
        organisation = self.cleaned_data.get("organisation")
        if organisation is not None and organisation.pk is None:
            organisation.commune = member.commune
            organisation.save()
        member.organisation = organisation
        if self.cleaned_data.get("remove_photo"):
            member.photo.delete(save=False)
            member.photo = ""
        elif "photo" in self.changed_data and self.cleaned_data.get("photo"):
            member.photo = normalised_photo(self.cleaned_data["photo"])
        member.save()
        member.programmes.set(self.cleaned_data["programmes"])
        member.thematics.set(self.cleaned_data["thematics"])
        member.tags.set(self.cleaned_data["tags_input"], clear=True)
        return member


def normalised_photo(upload):
    """The uploaded photo re-encoded as a JPEG of at most 600 px: strips metadata (GPS…) and weight."""
    check_uploaded_image(upload)  # never decode an image whose header announces too many pixels
    upload.seek(0)
    with Image.open(upload) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
        image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=85, optimize=True)
    return ContentFile(buffer.getvalue(), name="photo.jpg")


class LoginForm(HoneypotMixin, AuthenticationForm):
    """Django's login form with the site's labels; the renderer comes from DsfrBaseForm below."""

    username = forms.CharField(
        label=_("Adresse électronique"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["password"].label = _("Mot de passe")
        self.error_messages["invalid_login"] = _("Adresse électronique ou mot de passe incorrect.")
        self.error_messages["inactive"] = _("Ce compte n'est pas encore activé.")

    def clean(self):
        if self.caught_by_honeypot():
            raise forms.ValidationError(_("Votre envoi n'a pas pu être accepté."), code="honeypot")
        username = (self.cleaned_data.get("username") or "").strip().lower()
        password = self.cleaned_data.get("password")
        if username and password:
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class DsfrLoginForm(DsfrBaseForm, LoginForm):
    pass


class DsfrPasswordResetForm(HoneypotMixin, DsfrBaseForm, PasswordResetForm):
    email = forms.EmailField(label=_("Adresse électronique"), max_length=254)

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        send_password_reset.enqueue(
            to_email, context["uid"], context["token"], context["user"].first_name, _language(get_language())
        )


PASSWORD_HELP = _(
    "Au moins 12 caractères ; ni uniquement des chiffres, ni un mot de passe courant, ni proche de votre nom."
)


class NewPasswordLabelsMixin:
    """Plain-text help (Django's is an HTML list, which DSFR's hint text cannot hold)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Nouveau mot de passe")
        self.fields["new_password1"].help_text = PASSWORD_HELP
        self.fields["new_password2"].label = _("Confirmation du mot de passe")
        self.fields["new_password2"].help_text = ""
        if "old_password" in self.fields:
            self.fields["old_password"].label = _("Mot de passe actuel")


# DsfrBaseForm first: it builds the bound fields (which copy labels and help texts) after the others' __init__.
class DsfrSetPasswordForm(DsfrBaseForm, NewPasswordLabelsMixin, SetPasswordForm):
    pass


class DsfrPasswordChangeForm(DsfrBaseForm, NewPasswordLabelsMixin, PasswordChangeForm):
    pass


class DeleteAccountForm(DsfrBaseForm):
    password = forms.CharField(
        label=_("Votre mot de passe, pour confirmer"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("Je comprends que mon profil et mon compte seront supprimés définitivement"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Mot de passe incorrect."))
        return password


class ApplicationDecisionForm(forms.Form):
    """The moderator's decision in the admin."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation à rattacher"),
        queryset=Organisation.objects.all(),
        required=False,
        help_text=_("Laissez vide pour créer l'organisation indiquée par la personne."),
    )
    refusal_reason = forms.CharField(
        label=_("Motif du refus (envoyé à la personne)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class EmailChangeForm(DsfrBaseForm):
    """A new address for the account: a link goes to it, and the change happens only once it is followed."""

    new_email = forms.EmailField(
        label=_("Nouvelle adresse électronique"),
        max_length=254,
        help_text=_("Un lien de confirmation y sera envoyé ; votre adresse actuelle reste valable d'ici là."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Votre mot de passe, pour confirmer"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_new_email(self):
        email = self.cleaned_data["new_email"].strip().lower()
        if email == (self.user.email or "").lower():
            raise forms.ValidationError(_("C'est déjà l'adresse de votre compte."))
        if get_user_model().objects.filter(email__iexact=email).exclude(pk=self.user.pk).exists():
            # Said plainly: the person is logged in, and the address could not be used anyway.
            raise forms.ValidationError(_("Cette adresse est déjà celle d'un autre compte."))
        return email

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Mot de passe incorrect."))
        return password
