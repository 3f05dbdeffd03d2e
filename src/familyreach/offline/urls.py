"""Offline outreach pages, under /staff/ (so /staff/offline/...)."""

from django.urls import URLPattern, path

from familyreach.offline import views

app_name = "offline"

urlpatterns: list[URLPattern] = [
    path("offline/", views.app, name="app"),
    path("offline/sw.js", views.service_worker, name="service-worker"),
    path("offline/walk-ins", views.walk_ins, name="walk-ins"),
]
