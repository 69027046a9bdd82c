from django.urls import path

from . import views

app_name = "grants"

urlpatterns = [
    path("", views.home, name="home"),
    path("overenskommelser/", views.agreement_list, name="agreement_list"),
    path("overenskommelser/ny/", views.agreement_edit, name="agreement_create"),
    path("overenskommelser/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("overenskommelser/<int:pk>/andra/", views.agreement_edit, name="agreement_edit"),
    path("overenskommelser/<int:pk>/historik/", views.agreement_history, name="agreement_history"),
    path(
        "overenskommelser/<int:pk>/omraden/<int:child_pk>/historik/",
        views.child_history,
        {"kind": views.AREA},
        name="area_history",
    ),
    path(
        "overenskommelser/<int:pk>/delomraden/<int:child_pk>/historik/",
        views.child_history,
        {"kind": views.COMPONENT},
        name="component_history",
    ),
    path(
        "overenskommelser/<int:pk>/frister/<int:child_pk>/historik/",
        views.child_history,
        {"kind": views.DEADLINE},
        name="deadline_history",
    ),
    path(
        "overenskommelser/<int:pk>/omraden/ny/",
        views.child_edit,
        {"kind": views.AREA},
        name="area_create",
    ),
    path(
        "overenskommelser/<int:pk>/omraden/<int:child_pk>/andra/",
        views.child_edit,
        {"kind": views.AREA},
        name="area_edit",
    ),
    path(
        "overenskommelser/<int:pk>/omraden/<int:child_pk>/ta-bort/",
        views.child_delete,
        {"kind": views.AREA},
        name="area_delete",
    ),
    path(
        "overenskommelser/<int:pk>/delomraden/ny/",
        views.child_edit,
        {"kind": views.COMPONENT},
        name="component_create",
    ),
    path(
        "overenskommelser/<int:pk>/delomraden/<int:child_pk>/andra/",
        views.child_edit,
        {"kind": views.COMPONENT},
        name="component_edit",
    ),
    path(
        "overenskommelser/<int:pk>/delomraden/<int:child_pk>/ta-bort/",
        views.child_delete,
        {"kind": views.COMPONENT},
        name="component_delete",
    ),
    path(
        "overenskommelser/<int:pk>/frister/ny/",
        views.child_edit,
        {"kind": views.DEADLINE},
        name="deadline_create",
    ),
    path(
        "overenskommelser/<int:pk>/frister/<int:child_pk>/andra/",
        views.child_edit,
        {"kind": views.DEADLINE},
        name="deadline_edit",
    ),
    path(
        "overenskommelser/<int:pk>/frister/<int:child_pk>/ta-bort/",
        views.child_delete,
        {"kind": views.DEADLINE},
        name="deadline_delete",
    ),
    path("overenskommelser/<int:pk>/bekrafta/", views.agreement_confirm, name="agreement_confirm"),
    path(
        "overenskommelser/<int:pk>/frister/<int:child_pk>/bekrafta/",
        views.deadline_confirm,
        name="deadline_confirm",
    ),
    path("regioner/", views.region_list, name="region_list"),
    path("frister/", views.deadline_list, name="deadline_list"),
]
