"""Single-use, expiring links: account activation after approval (the password reset has Django's own).

Like Django's password-reset token, an activation token is bound to the account's password hash and
last login, so it stops working once used; it expires after PASSWORD_RESET_TIMEOUT.
"""

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "network.tokens.ActivationTokenGenerator"


activation_token = ActivationTokenGenerator()


def activation_path(user, language="fr"):
    """The activation link's path under the language prefix of the person's application (/fr/compte/…, /en/account/…)."""

    with translation.override(language):
        return reverse(
            "network:activate",
            kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": activation_token.make_token(user)},
        )
