"""The blocks of an issue. Three of them fill themselves from the site when the issue is rendered."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock

EMAIL_RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class SynchronisedMixin:
    """A chosen page or image is the same in every language (a page is shown in the reader's language when
    the issue is rendered): wagtail-localize synchronises it from the French issue instead of offering its id
    to translators."""

    def get_translatable_segments(self, value):
        return []

    def restore_translated_segments(self, value, segments):
        return value


class SynchronisedPageChooserBlock(SynchronisedMixin, blocks.PageChooserBlock):
    pass


class SynchronisedImageChooserBlock(SynchronisedMixin, ImageChooserBlock):
    pass


class EditoBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("titre"), max_length=150, default=_("Édito"))
    text = blocks.RichTextBlock(label=_("texte"), features=EMAIL_RICH_TEXT_FEATURES)
    signature = blocks.CharBlock(label=_("signature"), required=False, max_length=150)

    class Meta:
        icon = "openquote"
        label = _("Édito")


class TextBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("intertitre"), required=False, max_length=150)
    text = blocks.RichTextBlock(label=_("texte"), features=EMAIL_RICH_TEXT_FEATURES)

    class Meta:
        icon = "pilcrow"
        label = _("Texte")


class NewsletterImageBlock(blocks.StructBlock):
    image = SynchronisedImageChooserBlock(label=_("image"))
    alt = blocks.CharBlock(
        label=_("texte alternatif"),
        required=False,
        help_text=_("Laisser vide si l'image est décorative ; sinon décrire ce qu'elle apporte."),
    )
    caption = blocks.CharBlock(label=_("légende"), required=False)

    class Meta:
        icon = "image"
        label = _("Image")


class FeaturedProjectsBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("titre"), max_length=150, default=_("Projets à la une"))
    projects = blocks.ListBlock(
        SynchronisedPageChooserBlock(page_type="resources.ProjectPage", label=_("fiche projet")),
        label=_("fiches projet"),
        required=False,
        default=[],
        help_text=_("Laisser vide : les fiches publiées depuis le numéro précédent sont reprises automatiquement."),
    )
    count = blocks.IntegerBlock(label=_("nombre de fiches (choix automatique)"), min_value=1, max_value=6, default=3)

    class Meta:
        icon = "folder-open-inverse"
        label = _("Projets à la une")


class UpcomingEventsBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("titre"), max_length=150, default=_("Prochains rendez-vous"))
    count = blocks.IntegerBlock(label=_("nombre d'événements"), min_value=1, max_value=8, default=4)

    class Meta:
        icon = "date"
        label = _("Prochains événements (automatique)")


class NewResourcesBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("titre"), max_length=150, default=_("Nouvelles ressources"))
    count = blocks.IntegerBlock(label=_("nombre de ressources"), min_value=1, max_value=8, default=4)

    class Meta:
        icon = "doc-full"
        label = _("Nouvelles ressources (automatique)")


class CallToActionBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("texte"), max_length=400)
    button_label = blocks.CharBlock(label=_("libellé du bouton"), max_length=60)
    page = SynchronisedPageChooserBlock(label=_("page du site"), required=False)
    url = blocks.URLBlock(label=_("ou adresse externe"), required=False)

    class Meta:
        icon = "link"
        label = _("Appel à l'action")

    def clean(self, value):
        value = super().clean(value)
        if not value.get("page") and not value.get("url"):
            raise StructBlockValidationError(
                block_errors={"url": ValidationError(_("Choisissez une page du site ou indiquez une adresse."))}
            )
        return value


class NewsletterBodyBlock(blocks.StreamBlock):
    edito = EditoBlock()
    text = TextBlock()
    image = NewsletterImageBlock()
    featured_projects = FeaturedProjectsBlock()
    upcoming_events = UpcomingEventsBlock()
    new_resources = NewResourcesBlock()
    call_to_action = CallToActionBlock()
