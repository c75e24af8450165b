from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock as WagtailEmbedBlock
from wagtail.images.blocks import ImageChooserBlock


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    alt = blocks.CharBlock(
        label=_("texte alternatif"),
        required=False,
        help_text=_("Laisser vide si l'image est décorative ; sinon décrire ce qu'elle apporte."),
    )
    caption = blocks.CharBlock(label=_("légende"), required=False)
    credit = blocks.CharBlock(label=_("crédit"), required=False)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "components/blocks/image.html"


class EmbedBlock(blocks.StructBlock):
    url = WagtailEmbedBlock(label=_("adresse de la vidéo"))
    title = blocks.CharBlock(label=_("titre"), help_text=_("Décrit la vidéo pour les lecteurs d'écran."))
    transcript = blocks.TextBlock(label=_("transcription"), required=False)

    class Meta:
        icon = "media"
        label = _("Vidéo")
        template = "components/blocks/embed.html"


class DocumentsBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("titre"), required=False)
    documents = blocks.ListBlock(DocumentChooserBlock(label=_("document")), label=_("documents"))

    class Meta:
        icon = "doc-full"
        label = _("Documents à télécharger")
        template = "components/blocks/documents.html"
