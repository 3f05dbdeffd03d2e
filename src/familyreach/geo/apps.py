from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "familyreach.geo"
    label = "geo"
    verbose_name = "Geography and need"
