from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "familyreach.outcomes"
    label = "outcomes"
    verbose_name = "Family plans and outcomes"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from familyreach.outcomes import models

        # Plans and their scores are family records: every write is audited as families' are;
        # reads are recorded by the selectors.
        for model in (
            models.FamilyPlan,
            models.PlanAction,
            models.PlanReview,
            models.OutcomeScore,
        ):
            auditlog.register(model)

        from familyreach.outcomes import personal_data

        personal_data.register()
