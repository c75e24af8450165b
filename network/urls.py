"""Account URLs, mounted under the language prefix: /fr/compte/…, /en/account/…"""

from django.urls import path
from django.utils.translation import pgettext_lazy

from network import accounts

app_name = "network"


def _(text):
    return pgettext_lazy("URL", text)


urlpatterns = [
    path("", accounts.account_home, name="account"),
    path(_("connexion/"), accounts.LoginView.as_view(), name="login"),
    path(_("deconnexion/"), accounts.LogoutView.as_view(), name="logout"),
    path(_("mot-de-passe/"), accounts.PasswordResetView.as_view(), name="password_reset"),
    path(_("mot-de-passe/envoye/"), accounts.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        _("mot-de-passe/<uidb64>/<token>/"),
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(_("mot-de-passe/termine/"), accounts.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path(_("mot-de-passe/changer/"), accounts.PasswordChangeView.as_view(), name="password_change"),
    path(_("activation/<uidb64>/<token>/"), accounts.activate, name="activate"),
    path(_("profil/"), accounts.profile_edit, name="profile"),
    path(_("profil/apercu/"), accounts.profile_preview, name="profile_preview"),
    path(_("mes-donnees.json"), accounts.data_export, name="data_export"),
    path(_("suppression/"), accounts.delete_account, name="delete"),
    path(_("suppression/terminee/"), accounts.deleted, name="deleted"),
]
