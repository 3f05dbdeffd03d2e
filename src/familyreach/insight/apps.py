from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "familyreach.insight"
    label = "insight"
    verbose_name = "Reach and insight"
