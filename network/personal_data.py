"""A member's own data: export as JSON, and erasure of the account (GDPR articles 15, 17 and 20).

Other apps hold personal data of the same person (event registrations, newsletter subscription);
they contribute through two Wagtail hooks so this app imports none of them:
- `network_personal_data`: fn(user) -> dict, merged into the export;
- `network_erase_personal_data`: fn(user), called before the account is deleted.
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from wagtail import hooks

from network.models import Application, ContactMessage


def _iso(value):
    return value.isoformat() if value else None


def export_personal_data(user):
    member = getattr(user, "member", None)
    data = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "profile": None,
        "applications": [],
        "messages_sent": [],
    }
    if member is not None:
        data["profile"] = {
            "slug": member.slug,
            "first_name": member.first_name,
            "last_name": member.last_name,
            "role": member.role,
            "job_title": member.job_title,
            "organisation": member.organisation.name if member.organisation else None,
            "commune": member.commune.insee_code if member.commune else None,
            "department": member.department.code if member.department else None,
            "programmes": list(member.programmes.values_list("slug", flat=True)),
            "thematics": list(member.thematics.values_list("slug", flat=True)),
            "tags": list(member.tags.names()),
            "bio": member.bio,
            "phone": member.phone,
            "photo": member.photo.name or None,
            "visibility": member.visibility,
            "language": member.language,
            "consent_to_appear": member.consent_to_appear,
            "consent_at": _iso(member.consent_at),
            "accepts_messages": member.accepts_messages,
            "created_at": _iso(member.created_at),
            "updated_at": _iso(member.updated_at),
        }
    # An application is the account's by its address, or by the account it created (the address may have changed).
    for application in Application.objects.filter(Q(email__iexact=user.email) | Q(user=user)):
        data["applications"].append(
            {
                "submitted_at": _iso(application.submitted_at),
                "status": application.status,
                "organisation": application.organisation_name,
                "job_title": application.job_title,
                "motivation": application.motivation,
                "decided_at": _iso(application.decided_at),
            }
        )
    for log in ContactMessage.objects.filter(sender_user=user).select_related("recipient"):
        data["messages_sent"].append(
            {"sent_at": _iso(log.created_at), "to": str(log.recipient or ""), "subject": log.subject}
        )
    for hook in hooks.get_hooks("network_personal_data"):
        data.update(hook(user) or {})
    return data


@transaction.atomic
def erase_account(user):
    """Removes the profile and the account; what must stay for counts is anonymised, not kept personal."""
    for hook in hooks.get_hooks("network_erase_personal_data"):
        hook(user)
    ContactMessage.objects.filter(sender_user=user).update(sender_name="", sender_email="", ip_address=None)
    Application.objects.filter(Q(email__iexact=user.email) | Q(user=user)).delete()
    member = getattr(user, "member", None)
    if member is not None:
        if member.photo:
            member.photo.delete(save=False)
        member.delete()
    user.delete()
