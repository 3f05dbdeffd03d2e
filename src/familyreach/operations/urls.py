from django.urls import URLPattern, URLResolver, path

from familyreach.operations import views

app_name = "operations"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.jobs, name="jobs"),
    path("audit", views.audit_trail, name="audit"),
    path("<slug:name>/run", views.run_now, name="run-now"),
]
