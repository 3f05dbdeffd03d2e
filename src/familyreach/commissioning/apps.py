from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    name = "familyreach.commissioning"
    label = "commissioning"
    verbose_name = "Contracts and quarterly returns"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from familyreach.commissioning import models

        # Returns are the provider's account to the council: every change is audited.
        for model in (
            models.Contract,
            models.ContractMeasure,
            models.QuarterlyReturn,
            models.ReturnMeasure,
        ):
            auditlog.register(model)

        from familyreach.commissioning import personal_data

        personal_data.register()
