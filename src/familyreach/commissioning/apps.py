from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    name = "familyreach.commissioning"
    label = "commissioning"
    verbose_name = "Contracts and quarterly returns"
