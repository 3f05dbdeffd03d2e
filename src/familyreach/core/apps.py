from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "familyreach.core"
    label = "core"
    verbose_name = "Shared building blocks"
