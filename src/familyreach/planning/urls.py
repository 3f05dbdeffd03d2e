from django.urls import path

from familyreach.planning import views

app_name = "planning"

urlpatterns = [
    path("", views.scenario_list, name="list"),
    path("new", views.scenario_create, name="create"),
    path("compare", views.compare, name="compare"),
    path("compare/data.json", views.compare_data, name="compare-data"),
    path("<int:scenario_id>", views.scenario_detail, name="detail"),
    path("<int:scenario_id>/edit", views.scenario_edit, name="edit"),
    path("<int:scenario_id>/run", views.scenario_run, name="run"),
    path("<int:scenario_id>/what-if", views.scenario_what_if, name="what-if"),
    path(
        "<int:scenario_id>/what-if.geojson",
        views.scenario_what_if_geojson,
        name="what-if-geojson",
    ),
    path("<int:scenario_id>/adopt", views.scenario_adopt, name="adopt"),
    path("<int:scenario_id>/report", views.scenario_report, name="report"),
    path("<int:scenario_id>/scenario.geojson", views.scenario_geojson, name="geojson"),
    path("<int:scenario_id>/areas.csv", views.scenario_csv, {"what": "areas"}, name="areas-csv"),
    path("<int:scenario_id>/sites.csv", views.scenario_csv, {"what": "sites"}, name="sites-csv"),
]
