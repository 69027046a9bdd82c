"""URL configuration: the apps, the admin and the login pages."""

from django.contrib import admin
from django.urls import include, path, reverse_lazy

from accounts import views as accounts_views

urlpatterns = [
    path("", include("grants.urls")),
    path("", include("allocations.urls")),
    path("", include("distribution.urls")),
    path("", include("followup.urls")),
    path("", include("plan.urls")),
    path("", include("reporting.urls")),
    path("", include("dashboard.urls")),
    path("logga-in/", accounts_views.LoginView.as_view(), name="login"),
    path("logga-ut/", accounts_views.logout, name="logout"),
    path("", include("accounts.urls")),
    path("", include("operations.urls")),
    path("", include("comments.urls")),
    path("", include("search.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "Statsbidrag – administration"
admin.site.site_title = "Statsbidrag"
admin.site.index_title = "Administration"
# "Visa webbplats": the start page, under FORCE_SCRIPT_NAME too.
admin.site.site_url = reverse_lazy("dashboard:start")
