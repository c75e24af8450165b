"""Admin panels with French wording that reads naturally ("Ajouter un financement", not "Ajouter Financements")."""

from wagtail.admin.panels import InlinePanel, MultipleChooserPanel


class LabelledInlinePanel(InlinePanel):
    """An InlinePanel whose add button carries its own whole label (`add_label`)."""

    def __init__(self, relation_name, *args, add_label="", **kwargs):
        super().__init__(relation_name, *args, **kwargs)
        self.add_label = add_label

    def clone_kwargs(self):
        kwargs = super().clone_kwargs()
        kwargs["add_label"] = self.add_label
        return kwargs

    class BoundPanel(InlinePanel.BoundPanel):
        template_name = "hub/panels/labelled_inline_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["add_label"] = self.panel.add_label
            return context


class LabelledMultipleChooserPanel(MultipleChooserPanel):
    """A MultipleChooserPanel whose add button carries its own whole label (`add_label`)."""

    def __init__(self, relation_name, *args, add_label="", **kwargs):
        super().__init__(relation_name, *args, **kwargs)
        self.add_label = add_label

    def clone_kwargs(self):
        kwargs = super().clone_kwargs()
        kwargs["add_label"] = self.add_label
        return kwargs

    class BoundPanel(MultipleChooserPanel.BoundPanel):
        template_name = "hub/panels/labelled_multiple_chooser_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["add_label"] = self.panel.add_label
            return context
