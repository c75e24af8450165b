"""Seats freed outside the registration functions go to the waiting list at once, in order.

- An event published with a larger capacity (its own or a session's): page_published.
- A registration deleted (admin, shell, a script): post_delete, once the deletion is committed; the
  event's seat counters are counted again first (the deleted row's sessions are gone by then).
"""

from django.db import transaction
from django.db.models.signals import post_delete
from wagtail.signals import page_published


def promote_after_publish(sender, instance, **kwargs):
    from events.models import EventPage  # noqa: PLC0415
    from events.registration import promote_waitlisted  # noqa: PLC0415

    if isinstance(instance, EventPage):
        event = instance.source_event()
        transaction.on_commit(lambda: promote_waitlisted(event.pk))


def promote_after_delete(sender, instance, **kwargs):
    from events.models import Registration  # noqa: PLC0415
    from events.registration import promote_waitlisted, recount  # noqa: PLC0415

    if instance.status in Registration.HOLDING:
        event_id = instance.event_id

        def free_the_seat():
            recount(event_id)
            promote_waitlisted(event_id)

        transaction.on_commit(free_the_seat)


def connect():
    from events.models import EventPage, Registration  # noqa: PLC0415

    page_published.connect(promote_after_publish, sender=EventPage, dispatch_uid="events-promote-after-publish")
    post_delete.connect(promote_after_delete, sender=Registration, dispatch_uid="events-promote-after-delete")
