"""The offline JSON API, under /staff/api/offline/."""

from django.urls import URLPattern, path

from familyreach.offline import views

app_name = "offline-api"

urlpatterns: list[URLPattern] = [
    path("key", views.key, name="key"),
    path("download", views.download, name="download"),
    path("sync", views.sync, name="sync"),
]
