"""Insight's public pages (no sign-in): the annual report and its open data."""

from django.urls import URLPattern, URLResolver, path

from familyreach.insight import views

app_name = "insight_public"

urlpatterns: list[URLPattern | URLResolver] = [
    path("annual-report/", views.annual_report, name="annual-report"),
    path("annual-report.csv", views.annual_report_csv, name="annual-report-csv"),
]
