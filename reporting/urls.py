from django.urls import path

import common.converters  # noqa: F401  (<year:…>)

from . import views

app_name = "reporting"

urlpatterns = [
    path("overenskommelser/<int:pk>/rapporter/", views.agreement_reports, name="agreement"),
    path("overenskommelser/<int:pk>/rapporter/texter/", views.report_texts_page, name="texts"),
    path(
        "overenskommelser/<int:pk>/rapporter/<str:kind>/",
        views.agreement_document,
        name="document",
    ),
    path(
        "overenskommelser/<int:pk>/rapporter/<str:kind>/skapa/",
        views.generate_document,
        name="generate",
    ),
    path("rapporter/statsbidrag/<year:year>/", views.annual_summary, name="annual_summary"),
    path(
        "rapporter/statsbidrag/<year:year>/skapa/",
        views.generate_document,
        name="generate_summary",
    ),
    path("statsbidrag/", views.register_index, name="register"),
    path("statsbidrag/<year:year>/", views.register_year, name="register_year"),
    path("statsbidrag/<year:year>/nytt/", views.register_grant, name="register_new"),
    path("statsbidrag/<year:year>/<int:grant_pk>/", views.register_grant, name="register_grant"),
    path("statsbidrag/<year:year>/inlasning/", views.register_import, name="register_import"),
    path("statsbidrag/<year:year>/fyll-i/", views.register_fill, name="register_fill"),
    path("rapporter/dokument/<int:doc_pk>/", views.stored_document, name="stored"),
    path("rapporter/dokument/<int:doc_pk>/status/", views.document_trail, name="trail"),
    path("rapporter/dokument/<int:doc_pk>/attestera/", views.document_attest, name="attest"),
    path("rapporter/dokument/<int:doc_pk>/underteckna/", views.document_sign, name="sign"),
    path("rapporter/dokument/<int:doc_pk>/skicka/", views.document_send, name="send"),
    path(
        "rapporter/dokument/<int:doc_pk>/undertecknat/<int:copy_pk>/",
        views.signed_copy,
        name="signed_copy",
    ),
    path("rapporter/regionens-uppgifter/", views.organisation, name="organisation"),
]
