"""Shared StreamField blocks, one module per concern; apps add theirs in `<app>/blocks.py`."""

from wagtail import blocks

from .layout import AccordionBlock, CalloutBlock, KeyFiguresBlock, LinkCardsBlock
from .media import DocumentsBlock, EmbedBlock, ImageBlock
from .text import HeadingBlock, QuoteBlock, RichTextBlock


class BaseStreamBlock(blocks.StreamBlock):
    """The blocks every content page can use."""

    heading = HeadingBlock()
    paragraph = RichTextBlock()
    image = ImageBlock()
    quote = QuoteBlock()
    callout = CalloutBlock()
    key_figures = KeyFiguresBlock()
    accordion = AccordionBlock()
    link_cards = LinkCardsBlock()
    documents = DocumentsBlock()
    embed = EmbedBlock()


__all__ = [
    "AccordionBlock",
    "BaseStreamBlock",
    "CalloutBlock",
    "DocumentsBlock",
    "EmbedBlock",
    "HeadingBlock",
    "ImageBlock",
    "KeyFiguresBlock",
    "LinkCardsBlock",
    "QuoteBlock",
    "RichTextBlock",
]
