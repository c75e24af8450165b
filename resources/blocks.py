from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from hub.blocks import ImageBlock, KeyFiguresBlock, QuoteBlock
from hub.blocks.text import RICH_TEXT_FEATURES

PROJECT_SECTIONS = [
    ("contexte", _("Contexte")),
    ("objectifs", _("Objectifs")),
    ("actions", _("Actions menées")),
    ("resultats", _("Résultats")),
    ("vigilance", _("Points de vigilance")),
]


class ProjectSectionBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(label=_("Rubrique"), choices=PROJECT_SECTIONS)
    text = blocks.RichTextBlock(label=_("Texte"), features=RICH_TEXT_FEATURES)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["kind_label"] = dict(PROJECT_SECTIONS).get(value["kind"], value["kind"])
        return context

    class Meta:
        icon = "doc-full"
        label = _("Rubrique de la fiche")
        template = "components/blocks/project_section.html"


class ProjectBodyBlock(blocks.StreamBlock):
    """The fiche projet's named sections plus key figures, images and testimonies."""

    section = ProjectSectionBlock()
    key_figures = KeyFiguresBlock()
    image = ImageBlock()
    quote = QuoteBlock()
