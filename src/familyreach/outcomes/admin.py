from django.contrib import admin

from familyreach.outcomes.models import OutcomeGoal


@admin.register(OutcomeGoal)
class OutcomeGoalAdmin(admin.ModelAdmin[OutcomeGoal]):
    """Where a council configures its outcome scales (plans keep the goals they were made with:
    retire a goal by unticking `active` rather than deleting it)."""

    list_display = ("title", "framework", "scale_min", "scale_max", "active", "position")
    list_editable = ("active", "position")
    prepopulated_fields = {"code": ("title",)}
