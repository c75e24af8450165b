"""StreamField blocks of event pages: the agenda (programme of the day)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class AgendaItemBlock(blocks.StructBlock):
    time = blocks.TimeBlock(label=_("heure"), required=False)
    title = blocks.CharBlock(label=_("intitulé"), max_length=200)
    speakers = blocks.CharBlock(label=_("intervenant·es"), max_length=250, required=False)
    description = blocks.TextBlock(label=_("description"), required=False)

    class Meta:
        icon = "time"
        label = _("Temps du programme")
        template = "components/event_agenda_item.html"


class AgendaBlock(blocks.StreamBlock):
    item = AgendaItemBlock()

    class Meta:
        label = _("Programme")
