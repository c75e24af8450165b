"""Admin panels with French wording that reads naturally ("Ajouter un financement", not "Ajouter Financements")."""

from wagtail.admin.panels import InlinePanel, MultipleChooserPanel


class AddLabelMixin:
    """A panel whose add button carries its own whole label (`add_label`)."""

    def __init__(self, relation_name, *args, add_label="", **kwargs):
        super().__init__(relation_name, *args, **kwargs)
        self.add_label = add_label

    def clone_kwargs(self):
        kwargs = super().clone_kwargs()
        kwargs["add_label"] = self.add_label
        return kwargs


class AddLabelBoundMixin:
    def get_context_data(self, parent_context=None):
        context = super().get_context_data(parent_context)
        context["add_label"] = self.panel.add_label
        return context


class LabelledInlinePanel(AddLabelMixin, InlinePanel):
    class BoundPanel(AddLabelBoundMixin, InlinePanel.BoundPanel):
        template_name = "hub/panels/labelled_inline_panel.html"


class LabelledMultipleChooserPanel(AddLabelMixin, MultipleChooserPanel):
    class BoundPanel(AddLabelBoundMixin, MultipleChooserPanel.BoundPanel):
        template_name = "hub/panels/labelled_multiple_chooser_panel.html"
