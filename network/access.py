"""Who counts as a member of the network: the one rule other apps (events, resources) ask about."""


def is_member(user):
    """True for a logged-in account with an active member profile, and for the programme team (staff)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_staff:
        return True
    member = getattr(user, "member", None)
    return member is not None
