from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "familyreach.families"
    label = "families"
    verbose_name = "Families"

    def ready(self) -> None:
        # Every write to a family record is audited (who, when, what, from where).
        from auditlog.registry import auditlog

        from familyreach.families import models

        for model in (
            models.Family,
            models.Carer,
            models.Child,
            models.Consent,
            models.Case,
            models.Contact,
        ):
            auditlog.register(model)
