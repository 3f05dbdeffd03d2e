from django.urls import path

from familyreach.consult import views

app_name = "consult"

urlpatterns = [
    path("consultations/", views.consultation_list, name="list"),
    path("consultations/<slug:slug>/", views.consultation_detail, name="detail"),
    path("consultations/<slug:slug>/resume/<str:token>", views.resume, name="resume"),
    path(
        "consultations/<slug:slug>/respond/check-your-answers",
        views.respond_check,
        name="check",
    ),
    path("consultations/<slug:slug>/respond/save", views.respond_save, name="save"),
    path(
        "consultations/<slug:slug>/respond/<slug:page_slug>",
        views.respond_page,
        name="respond",
    ),
    path(
        "consultations/<slug:slug>/options/<int:option_id>/map.geojson",
        views.option_map,
        name="option-map",
    ),
    path("consultations/<slug:slug>/confirmation", views.confirmation, name="confirmation"),
    path("consultations/<slug:slug>/responses", views.published, name="published"),
    path("consultations/<slug:slug>/we-asked-you-said-we-did", views.summary, name="summary"),
    path("staff/consultations/", views.staff_list, name="staff-list"),
    path("staff/consultations/<slug:slug>/", views.staff_analysis, name="staff-analysis"),
    path(
        "staff/consultations/<slug:slug>/charts.json",
        views.staff_chart_data,
        name="staff-chart-data",
    ),
    path("staff/consultations/<slug:slug>/report", views.staff_report, name="staff-report"),
    path(
        "staff/consultations/<slug:slug>/export.csv",
        views.staff_export_csv,
        name="staff-export-csv",
    ),
    path(
        "staff/consultations/<slug:slug>/export.xlsx",
        views.staff_export_xlsx,
        name="staff-export-xlsx",
    ),
    path("staff/consultations/<slug:slug>/paper", views.staff_paper, name="staff-paper"),
    path("staff/consultations/<slug:slug>/coding", views.staff_coding, name="staff-coding"),
    path("staff/consultations/<slug:slug>/coding/tag", views.staff_tag, name="staff-tag"),
    path("staff/consultations/<slug:slug>/quotes", views.staff_quotes, name="staff-quotes"),
    path(
        "staff/consultations/<slug:slug>/moderation",
        views.staff_moderation,
        name="staff-moderation",
    ),
    path("staff/consultations/<slug:slug>/flags", views.staff_flags, name="staff-flags"),
    path("staff/consultations/<slug:slug>/decision", views.staff_decision, name="staff-decision"),
]
