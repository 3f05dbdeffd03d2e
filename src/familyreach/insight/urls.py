from django.urls import URLPattern, URLResolver, path

from familyreach.insight import views

app_name = "insight"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="dashboard"),
    path("district/<str:code>/", views.district, name="district"),
    path("area/<str:code>/", views.area, name="area"),
    path("data.json", views.data, name="data"),
    path("export.csv", views.export_csv, name="export-csv"),
    path("export.xlsx", views.export_xlsx, name="export-xlsx"),
    path("refresh", views.refresh, name="refresh"),
    path("plan-outreach", views.plan_outreach, name="plan-outreach"),
    path("plan-effect", views.plan_effect, name="plan-effect"),
    path("money", views.money, name="money"),
]
