from django.urls import URLPattern, URLResolver, path

from familyreach.geo import views

app_name = "geo"

urlpatterns: list[URLPattern | URLResolver] = [
    path("areas", views.areas, name="areas"),
    path("areas.geojson", views.areas_geojson_view, name="areas-geojson"),
]
