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

        # Planning takes need from geo, never from insight: insight publishes its unreached-need
        # figures there (the demand of planning's "unreached need" measure).
        from familyreach.geo.need import unreached_need_source_set
        from familyreach.insight.selectors import unreached_greatest_need_by_area

        unreached_need_source_set(lambda: unreached_greatest_need_by_area()[0])
