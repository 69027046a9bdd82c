from django.urls import path

from . import views

app_name = "allocations"

urlpatterns = [
    path("overenskommelser/<int:pk>/kopiera/", views.agreement_copy, name="agreement_copy"),
    path(
        "overenskommelser/<int:pk>/nationella-belopp/",
        views.national_paste,
        name="national_paste",
    ),
    path("nyckeldata/", views.dataset_list, name="dataset_list"),
    path("nyckeldata/las-in/", views.dataset_import, name="dataset_import"),
    path("nyckeldata/hamta-scb/", views.dataset_fetch_scb, name="dataset_fetch_scb"),
    path("nyckeldata/<int:pk>/", views.dataset_detail, name="dataset_detail"),
    path("nyckeldata/<int:pk>/fil/", views.dataset_file, name="dataset_file"),
    path("nyckeldata/<int:pk>/andra/", views.dataset_edit, name="dataset_edit"),
    path(
        "overenskommelser/<int:pk>/fordelning/<str:group>/",
        views.allocation_table,
        name="table",
    ),
    path(
        "overenskommelser/<int:pk>/delomraden/<int:component_pk>/regel/",
        views.rule_edit,
        name="rule_edit",
    ),
    path(
        "overenskommelser/<int:pk>/delomraden/<int:component_pk>/beslutat/",
        views.decided_edit,
        name="decided_edit",
    ),
    path(
        "overenskommelser/<int:pk>/delomraden/<int:component_pk>/beslutat/las-in/",
        views.decided_import,
        name="decided_import",
    ),
    path(
        "overenskommelser/<int:pk>/delomraden/<int:component_pk>/klistra-in/",
        views.decided_paste,
        name="decided_paste",
    ),
]
