from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("start/", views.start, name="start"),
    path("oversikt/", views.overview, name="overview"),
    path("oversikt/diagram/<int:year>/<slug:name>.svg", views.chart, name="chart"),
    path("oversikt/aktiviteter/", views.activities, name="activities"),
    path("oversikt/transaktioner/", views.transactions, name="transactions"),
]
