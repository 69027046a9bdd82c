from django.urls import path

from . import views

app_name = "operations"

urlpatterns = [
    path("halsa/", views.health, name="health"),
    path("halsa/live", views.live, name="live"),
]
