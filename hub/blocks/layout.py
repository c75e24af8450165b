from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks import StructBlockValidationError

from .text import RICH_TEXT_FEATURES


class CalloutBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("titre"), required=False)
    text = blocks.RichTextBlock(label=_("texte"), features=RICH_TEXT_FEATURES)
    link = blocks.URLBlock(label=_("lien"), required=False)
    link_label = blocks.CharBlock(label=_("texte du lien"), required=False)

    class Meta:
        icon = "help"
        label = _("Mise en avant")
        template = "components/blocks/callout.html"


class KeyFigureBlock(blocks.StructBlock):
    value = blocks.CharBlock(label=_("valeur"), max_length=30)
    label = blocks.CharBlock(label=_("libellé"), max_length=120)


class KeyFiguresBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("titre"), required=False)
    figures = blocks.ListBlock(KeyFigureBlock(), label=_("chiffres"), min_num=1, max_num=6)

    class Meta:
        icon = "table"
        label = _("Chiffres clés")
        template = "components/blocks/key_figures.html"


class AccordionItemBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("titre"))
    body = blocks.RichTextBlock(label=_("contenu"), features=RICH_TEXT_FEATURES)


class AccordionBlock(blocks.StructBlock):
    items = blocks.ListBlock(AccordionItemBlock(), label=_("sections"), min_num=1)

    class Meta:
        icon = "list-ul"
        label = _("Accordéon")
        template = "components/blocks/accordion.html"


class LinkCardBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("titre"))
    description = blocks.TextBlock(label=_("description"), required=False)
    page = blocks.PageChooserBlock(label=_("page"), required=False)
    url = blocks.URLBlock(label=_("ou adresse externe"), required=False)

    class Meta:
        icon = "link"

    def clean(self, value):
        value = super().clean(value)
        if not value.get("page") and not value.get("url"):
            raise StructBlockValidationError(
                block_errors={"page": ValidationError(_("Choisir une page ou saisir une adresse."))}
            )
        return value


class LinkCardsBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("titre"), required=False)
    cards = blocks.ListBlock(LinkCardBlock(), label=_("cartes"), min_num=1, max_num=12)

    class Meta:
        icon = "link"
        label = _("Cartes de liens")
        template = "components/blocks/link_cards.html"
