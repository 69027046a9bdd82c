from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("overenskommelser/<int:pk>/rapporter/", views.agreement_reports, name="agreement"),
    path("overenskommelser/<int:pk>/rapporter/texter/", views.report_texts, name="texts"),
    path(
        "overenskommelser/<int:pk>/rapporter/<str:kind>/",
        views.agreement_document,
        name="document",
    ),
    path("rapporter/statsbidrag/<int:year>/", views.annual_summary, name="annual_summary"),
    path("rapporter/dokument/<int:doc_pk>/", views.stored_document, name="stored"),
    path("rapporter/dokument/<int:doc_pk>/status/", views.document_trail, name="trail"),
    path(
        "rapporter/dokument/<int:doc_pk>/undertecknat/<int:copy_pk>/",
        views.signed_copy,
        name="signed_copy",
    ),
    path("rapporter/regionens-uppgifter/", views.organisation, name="organisation"),
]
