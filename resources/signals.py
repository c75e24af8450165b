from django.db import transaction
from django.dispatch import receiver
from wagtail.signals import page_published

from resources.tasks import notify_proposer_of_publication


@receiver(page_published)
def tell_the_proposer(sender, instance, **kwargs):
    from resources.models import ProjectPage  # noqa: PLC0415

    if isinstance(instance, ProjectPage) and instance.proposed_by_id and instance.proposer_notified_at is None:
        page_id = instance.pk
        transaction.on_commit(lambda: notify_proposer_of_publication.enqueue(page_id))


def is_member_proposal(instance):
    """A workflow state (or task state) of a sheet a member proposed, in the workflow the member started.

    The member is told of the publication by our own email and moderators by one email per proposal;
    Wagtail's workflow notifications (admin links the member cannot open, one per task) stay silent.
    An editor who later resubmits the sheet gets Wagtail's notifications as usual.
    """
    from wagtail.models import TaskState, WorkflowState  # noqa: PLC0415

    from resources.models import ProjectPage  # noqa: PLC0415

    workflow_state = instance.workflow_state if isinstance(instance, TaskState) else instance
    if not isinstance(workflow_state, WorkflowState):
        return False
    content = workflow_state.content_object
    content = getattr(content, "specific", content)
    return (
        isinstance(content, ProjectPage)
        and content.proposed_by_id is not None
        and workflow_state.requested_by_id == content.proposed_by_id
    )


WAGTAIL_NOTIFIERS = (
    "task_submission_email_notifier",
    "workflow_submission_email_notifier",
    "workflow_approval_email_notifier",
    "workflow_rejection_email_notifier",
)


def silence_wagtail_notifications_for_proposals():
    """Wagtail's notifiers (connected by wagtail.admin, after this app) skip members' proposals."""
    from wagtail.admin import signal_handlers  # noqa: PLC0415

    for name in WAGTAIL_NOTIFIERS:
        notifier = getattr(signal_handlers, name)
        if getattr(notifier, "skips_member_proposals", False):
            continue
        original = notifier.can_handle

        def can_handle(instance, _original=original, **kwargs):
            return _original(instance, **kwargs) and not is_member_proposal(instance)

        notifier.can_handle = can_handle
        notifier.skips_member_proposals = True
