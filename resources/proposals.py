"""A member proposes a fiche projet: it becomes a draft in Wagtail's moderation workflow."""

import datetime

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm
from wagtail.images import get_image_model
from wagtail.models import Locale, Workflow

from hub.dsfr_widgets import CheckboxSelectMultiple
from hub.forms import CommuneField, check_uploaded_image
from hub.models import Programme, Thematic
from resources.models import ProjectGalleryImage, ProjectPage, ProjectStatus
from resources.tasks import notify_moderators_of_proposal


class ProjectProposalForm(DsfrBaseForm):
    title = forms.CharField(label=_("Titre du projet"), max_length=200)
    # Typed by name with suggestions (« Nom (département) » for homonyms), or by INSEE code.
    commune = CommuneField(label=_("Commune"))
    summary = forms.CharField(label=_("Résumé"), max_length=600, widget=forms.Textarea(attrs={"rows": 3}))
    programmes = forms.MultipleChoiceField(label=_("Programmes"), required=False, widget=CheckboxSelectMultiple)
    thematics = forms.MultipleChoiceField(label=_("Thématiques"), widget=CheckboxSelectMultiple)
    status = forms.ChoiceField(label=_("État du projet"))
    start_year = forms.IntegerField(label=_("Année de début"), min_value=1990, max_value=2100, required=False)
    context = forms.CharField(label=_("Contexte"), widget=forms.Textarea(attrs={"rows": 4}))
    actions = forms.CharField(label=_("Actions menées"), widget=forms.Textarea(attrs={"rows": 4}))
    results = forms.CharField(label=_("Résultats"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    image = forms.ImageField(
        label=_("Photo"),
        required=False,
        help_text=_("JPEG, PNG ou WebP, 5 Mo au plus. Vous devez détenir les droits de diffusion."),
    )
    image_alt = forms.CharField(label=_("Description de la photo"), max_length=250, required=False)
    # Honeypot: hidden from people, filled in by naive robots.
    website = forms.CharField(label=_("Ne pas remplir ce champ"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = get_language() or "fr"
        self.fields["programmes"].choices = [
            (p.slug, p.name) for p in Programme.objects.filter(locale__language_code=language).order_by("sort_order")
        ] or [(p.slug, p.name) for p in Programme.objects.filter(locale__language_code="fr")]
        self.fields["thematics"].choices = [
            (t.slug, t.name) for t in Thematic.objects.filter(locale__language_code=language).order_by("sort_order")
        ] or [(t.slug, t.name) for t in Thematic.objects.filter(locale__language_code="fr")]
        self.fields["status"].choices = ProjectStatus.choices

    def clean_image(self):
        return check_uploaded_image(self.cleaned_data.get("image"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise ValidationError(_("Envoi refusé."))
        if cleaned.get("image") and not cleaned.get("image_alt"):
            self.add_error("image_alt", _("Décrivez la photo pour les personnes qui ne la voient pas."))
        return cleaned


def proposals_per_day():
    """How many sheets a member may propose in 24 hours (RESOURCES_PROPOSALS_PER_DAY, 5 by default)."""
    return settings.RESOURCES_PROPOSALS_PER_DAY


def proposals_left_today(user):
    since = timezone.now() - datetime.timedelta(days=1)
    return proposals_per_day() - ProjectPage.objects.filter(proposed_by=user, proposed_at__gte=since).count()


class ProposalLimitReached(Exception):
    pass


def limit_message():
    limit = proposals_per_day()
    return ngettext(
        "Vous avez déjà proposé %(count)s fiche projet en 24 heures, le maximum : vous pourrez en proposer "
        "une nouvelle demain. Votre texte n'a pas été enregistré ; gardez-en une copie.",
        "Vous avez déjà proposé %(count)s fiches projet en 24 heures, le maximum : vous pourrez en proposer "
        "une nouvelle demain. Votre texte n'a pas été enregistré ; gardez-en une copie.",
        limit,
    ) % {"count": limit}


def moderation_workflow():
    """The workflow proposals go through: the one on the Projétothèque, else Wagtail's default one."""
    workflow = Workflow.objects.filter(active=True, workflow_pages__page__depth=1).first()
    if workflow is None:
        workflow = Workflow.objects.filter(active=True).first()
    return workflow


@transaction.atomic
def create_proposal(form, user, index_page):
    data = form.cleaned_data
    # One member's proposals are counted under a lock on their account row: two simultaneous posts
    # cannot both pass the limit.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if proposals_left_today(user) <= 0:
        raise ProposalLimitReached
    locale = Locale.objects.get(language_code="fr")
    body = []
    for kind, field in (("contexte", "context"), ("actions", "actions"), ("resultats", "results")):
        if data.get(field):
            paragraphs = "".join(f"<p>{line}</p>" for line in escape(data[field]).splitlines() if line.strip())
            body.append({"type": "section", "value": {"kind": kind, "text": paragraphs}})
    base_slug = slugify(data["title"])[:70] or "projet"
    slug, number = base_slug, 1
    while ProjectPage.objects.child_of(index_page).filter(slug=slug).exists():
        number += 1
        slug = f"{base_slug}-{number}"
    page = ProjectPage(
        title=data["title"],
        slug=slug,
        summary=data["summary"],
        commune=data["commune"],
        status=data["status"],
        start_year=data.get("start_year"),
        body=body,
        live=False,
        owner=user,
        proposed_by=user,
        proposed_at=timezone.now(),
        locale=locale,
    )
    index_page.add_child(instance=page)
    page.programmes.set(Programme.objects.filter(locale=locale, slug__in=data["programmes"]))
    page.thematics.set(Thematic.objects.filter(locale=locale, slug__in=data["thematics"]))
    if data.get("image"):
        image = get_image_model()(title=data["title"][:200], file=data["image"], uploaded_by_user=user)
        image.save()
        page.gallery_images.add(ProjectGalleryImage(image=image, alt=data.get("image_alt", "")))
    page.save()  # writes the parental relations set above
    revision = page.save_revision(user=user, log_action=True)
    workflow = page.get_workflow() or moderation_workflow()
    if workflow is not None:
        workflow.start(page, user)

    page_id = page.pk
    transaction.on_commit(lambda: notify_moderators_of_proposal.enqueue(page_id))
    return page, revision


def handle_proposal(request, index_page):
    """None when a proposal was created; else the context to show the form (blank or with errors)."""
    if request.method == "POST":
        form = ProjectProposalForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                create_proposal(form, request.user, index_page)
            except ProposalLimitReached:
                form.add_error(None, limit_message())
            else:
                return None
    else:
        form = ProjectProposalForm()
    return {"form": form, "sent": request.GET.get("envoye") == "1"}
