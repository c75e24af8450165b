"""Account URLs, mounted under the language prefix: /fr/compte/…, /en/account/…"""

from django.urls import include, path
from django.utils.translation import pgettext_lazy

from network import accounts

app_name = "network"


urlpatterns = [
    path("", accounts.account_home, name="account"),
    path("", include("events.account_urls")),
    path(pgettext_lazy("URL", "connexion/"), accounts.LoginView.as_view(), name="login"),
    path(pgettext_lazy("URL", "deconnexion/"), accounts.LogoutView.as_view(), name="logout"),
    path(pgettext_lazy("URL", "mot-de-passe/"), accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        pgettext_lazy("URL", "mot-de-passe/envoye/"),
        accounts.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        pgettext_lazy("URL", "mot-de-passe/<uidb64>/<token>/"),
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        pgettext_lazy("URL", "mot-de-passe/termine/"),
        accounts.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(pgettext_lazy("URL", "mot-de-passe/changer/"), accounts.PasswordChangeView.as_view(), name="password_change"),
    path(pgettext_lazy("URL", "activation/<uidb64>/<token>/"), accounts.activate, name="activate"),
    path(pgettext_lazy("URL", "profil/"), accounts.profile_edit, name="profile"),
    path(pgettext_lazy("URL", "profil/apercu/"), accounts.profile_preview, name="profile_preview"),
    path(pgettext_lazy("URL", "mes-donnees.json"), accounts.data_export, name="data_export"),
    path(pgettext_lazy("URL", "suppression/"), accounts.delete_account, name="delete"),
    path(pgettext_lazy("URL", "suppression/terminee/"), accounts.deleted, name="deleted"),
    path(pgettext_lazy("URL", "adresse-electronique/"), accounts.email_change, name="email_change"),
    path(
        pgettext_lazy("URL", "adresse-electronique/<str:token>/"),
        accounts.email_change_confirm,
        name="email_change_confirm",
    ),
    path(pgettext_lazy("URL", "communes.json"), accounts.communes, name="communes"),
]
