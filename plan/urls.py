from django.urls import path

from . import views

app_name = "plan"

urlpatterns = [
    path("plan/", views.plan_list, name="list"),
    path("plan/<int:pk>/", views.plan_detail, name="detail"),
    path("plan/<int:pk>/andra/", views.plan_edit, name="edit"),
    path("plan/<int:pk>/uppfoljning/", views.followup, name="followup"),
    path("plan/<int:pk>/uppfoljning/pdf/", views.followup_pdf, name="followup_pdf"),
    path("plan/<int:pk>/kolada/", views.kolada_import, name="kolada"),
    path("plan/<int:plan_pk>/ny-part/", views.party_edit, name="party_add"),
    path("plan/part/<int:pk>/andra/", views.party_edit, name="party_edit"),
    path("plan/strategi/<int:pk>/andra/", views.strategy_edit, name="strategy_edit"),
    path("plan/strategi/<int:strategy_pk>/nytt-matt/", views.indicator_add, name="indicator_add"),
    path("plan/strategi/<int:strategy_pk>/ny-aktivitet/", views.activity_add, name="activity_add"),
    path("plan/matt/<int:pk>/", views.indicator_detail, name="indicator"),
    path("plan/matt/<int:pk>/andra/", views.indicator_edit, name="indicator_edit"),
    path("plan/matt/<int:pk>/export/", views.indicator_export, name="indicator_export"),
    path("plan/matt/<int:pk>/nytt-varde/", views.measurement_add, name="measurement_add"),
    path("plan/varde/<int:pk>/andra/", views.measurement_edit, name="measurement_edit"),
    path("plan/aktivitet/<int:pk>/", views.activity_detail, name="activity"),
    path("plan/aktivitet/<int:pk>/andra/", views.activity_edit, name="activity_edit"),
    path("plan/aktivitet/<int:pk>/ny-delaktivitet/", views.sub_add, name="sub_add"),
    path("plan/aktivitet/<int:pk>/koppla/", views.link_add, name="link_add"),
    path("plan/koppling/<int:pk>/ta-bort/", views.link_delete, name="link_delete"),
    path("plan/delaktivitet/<int:pk>/andra/", views.sub_edit, name="sub_edit"),
    path("plan/delaktivitet/<int:pk>/status/", views.sub_status, name="sub_status"),
    path("plan/delaktivitet/<int:pk>/nytt-matt/", views.question_add, name="question_add"),
    path("plan/mattfraga/<int:pk>/andra/", views.question_edit, name="question_edit"),
    path("plan/mattfraga/<int:pk>/svar/", views.question_answer, name="question_answer"),
    path(
        "overenskommelser/<int:pk>/indikatorer/",
        views.agreement_indicators,
        name="agreement_indicators",
    ),
    path(
        "overenskommelser/<int:pk>/indikatorer/ny/",
        views.agreement_indicator_add,
        name="agreement_indicator_add",
    ),
]
