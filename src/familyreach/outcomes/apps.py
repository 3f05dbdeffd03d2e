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
        # The scales are the council's configuration, not family data: changes to them are
        # recorded too, so a reworded or retired scale can be traced to the manager.
        auditlog.register(models.OutcomeGoal)

        from familyreach.outcomes import personal_data

        personal_data.register()

        # The family record links to the plan, and closing a case asks for its outcome first:
        # outcomes builds on families, so it answers families' signals.
        from familyreach.families.signals import (
            case_closing_steps,
            closed_case_outcomes,
            family_page_sections,
        )
        from familyreach.outcomes.receivers import (
            case_closing_step,
            family_page_section,
        )
        from familyreach.outcomes.receivers import (
            closed_case_outcomes as closed_case_outcomes_receiver,
        )

        family_page_sections.connect(family_page_section, dispatch_uid="outcomes.family_page")
        case_closing_steps.connect(case_closing_step, dispatch_uid="outcomes.case_closing")
        # Insight's public annual report counts closed plans that improved, by district.
        closed_case_outcomes.connect(
            closed_case_outcomes_receiver, dispatch_uid="outcomes.closed_case_outcomes"
        )
