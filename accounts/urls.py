from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import oidc, views

app_name = "accounts"

urlpatterns = [
    path("sso/logga-in/", login_not_required(oidc.SsoLoginView.as_view()), name="sso_login"),
    path("sso/callback/", login_not_required(oidc.SsoCallbackView.as_view()), name="sso_callback"),
    path("konto/losenord/", views.PasswordChangeView.as_view(), name="password_change"),
    path("tillganglighet/", views.accessibility, name="accessibility"),
    path(
        "konto/losenord/klart/",
        views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
