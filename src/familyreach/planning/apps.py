from django.apps import AppConfig


class PlanningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "familyreach.planning"
    label = "planning"
    verbose_name = "Planning and options appraisal"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from familyreach.planning import models

        # Who changed, ran and adopted each scenario: every write is in the audit log.
        auditlog.register(
            models.Scenario, m2m_fields={"forced_open", "excluded", "candidate_venues"}
        )
        auditlog.register(models.ScenarioOutreachVenue)
        auditlog.register(
            models.ScenarioRun, exclude_fields=["progress", "progress_message", "heartbeat_at"]
        )

        from familyreach.core.personal_data import exempt

        exempt(models.Scenario, reason="Planning scenarios, named by planners: no family data.")
