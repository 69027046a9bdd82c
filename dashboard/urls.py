from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("start/", views.start, name="start"),
    path("oversikt/", views.overview, name="overview"),
    path("oversikt/aktiviteter/", views.activities, name="activities"),
    path("oversikt/transaktioner/", views.transactions, name="transactions"),
]
