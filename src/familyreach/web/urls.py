from django.urls import path

from familyreach.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accessibility", views.accessibility, name="accessibility"),
    path("privacy", views.privacy, name="privacy"),
    path("data-sources", views.data_sources, name="data-sources"),
    path("staff/", views.staff_home, name="staff-home"),
]
