from django.urls import path

import common.converters  # noqa: F401  (<year:…>)

from . import views

app_name = "followup"

urlpatterns = [
    path("overenskommelser/<int:pk>/uppfoljning/", views.overview, name="overview"),
    path("overenskommelser/<int:pk>/uppfoljning/avstamning.xlsx", views.workbook, name="workbook"),
    path("overenskommelser/<int:pk>/uppfoljning/kopplingar/", views.links, name="links"),
    path("overenskommelser/<int:pk>/uppfoljning/kopplingar/ny/", views.add_link, name="add_link"),
    path(
        "overenskommelser/<int:pk>/uppfoljning/kopplingar/<int:link_pk>/ta-bort/",
        views.delete_link,
        name="delete_link",
    ),
    path("uppfoljning/importer/", views.imports, name="imports"),
    path("uppfoljning/importer/las-in/", views.upload, name="upload"),
    path("uppfoljning/importer/<int:pk>/", views.import_detail, name="import_detail"),
    path("uppfoljning/importer/<int:import_pk>/fil/", views.import_file, name="import_file"),
    path("uppfoljning/kallor/ny/", views.source_new, name="source_new"),
    path("uppfoljning/perioder/<year:year>/", views.periods, name="periods"),
    path("uppfoljning/perioder/<year:year>/stang/", views.close_period, name="close_period"),
    path("uppfoljning/perioder/<year:year>/oppna/", views.reopen_period, name="reopen_period"),
    path("uppfoljning/kontoplan/", views.chart, name="chart"),
    path("uppfoljning/kontoplan/ny/", views.chart_add, name="chart_add"),
    path("uppfoljning/kontoplan/<int:pk>/ta-bort/", views.chart_delete, name="chart_delete"),
    path("uppfoljning/aktivitet/<int:activity_pk>/prognos/", views.forecast, name="forecast"),
    path(
        "uppfoljning/aktivitet/<int:activity_pk>/budgetprofil/",
        views.budget_profile,
        name="budget_profile",
    ),
]
