from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("kommentarer/<str:kind>/<int:pk>/", views.thread, name="thread"),
    path("kommentarer/omnamnande/<int:pk>/klar/", views.mention_done, name="mention_done"),
]
