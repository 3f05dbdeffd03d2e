from django.apps import AppConfig


class OfflineConfig(AppConfig):
    name = "familyreach.offline"
    label = "offline"
    verbose_name = "Offline outreach"

    def ready(self) -> None:
        # What arrived from a device is a write about families: audited like any other.
        from auditlog.registry import auditlog

        from familyreach.offline import models, personal_data

        auditlog.register(models.OfflineChange)
        personal_data.register()
