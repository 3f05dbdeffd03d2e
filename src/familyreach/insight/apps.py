from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "familyreach.insight"
    label = "insight"
    verbose_name = "Reach and insight"

    def ready(self) -> None:
        from familyreach.core.personal_data import exempt
        from familyreach.insight.models import SimulatedFamily

        exempt(
            SimulatedFamily,
            reason="Marks a record written by the simulator: holds no personal data, and the "
            "family it marks is not a real person's.",
        )
