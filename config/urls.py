"""URL configuration: the apps, the admin and the login pages."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("", include("grants.urls")),
    path("", include("allocations.urls")),
    path("", include("distribution.urls")),
    path("", include("followup.urls")),
    path("", include("plan.urls")),
    path("", include("reporting.urls")),
    path("", include("dashboard.urls")),
    path("logga-in/", auth_views.LoginView.as_view(), name="login"),
    path("logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "Statsbidrag – administration"
admin.site.site_title = "Statsbidrag"
admin.site.index_title = "Administration"
