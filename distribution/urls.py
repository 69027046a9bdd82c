from django.urls import path

from . import views

app_name = "distribution"

urlpatterns = [
    path(
        "overenskommelser/<int:pk>/inom-regionen/",
        views.agreement_overview,
        name="agreement",
    ),
    path(
        "overenskommelser/<int:pk>/inom-regionen/objekt/",
        views.cost_object_add,
        name="cost_object_add",
    ),
    path("inom-regionen/omrade/<int:area_pk>/", views.area_page, name="area"),
    path(
        "inom-regionen/omrade/<int:area_pk>/ny-aktivitet/",
        views.area_post,
        {"kind": views.ADD},
        name="activity_add",
    ),
    path(
        "inom-regionen/omrade/<int:area_pk>/omfordela/",
        views.area_post,
        {"kind": views.REALLOCATION},
        name="reallocate",
    ),
    path(
        "inom-regionen/omrade/<int:area_pk>/ansvar/",
        views.area_post,
        {"kind": views.PLAN},
        name="area_plan",
    ),
    path("inom-regionen/omrade/<int:area_pk>/historik/", views.area_history, name="area_history"),
    path("inom-regionen/omrade/<int:area_pk>/kopiera/", views.copy_previous, name="copy_previous"),
    path("inom-regionen/aktivitet/<int:pk>/andra/", views.activity_edit, name="activity_edit"),
    path(
        "inom-regionen/aktivitet/<int:pk>/ta-bort/", views.activity_delete, name="activity_delete"
    ),
]
