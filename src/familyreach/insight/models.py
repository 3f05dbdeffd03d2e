"""What insight stores: pre-aggregated reach counts (the heavy reduction, done once and read by
every dashboard load), simulation runs, and the seeds of "plan outreach here" scenarios.

No family-level data is stored here: only counts per area, target-group combination and month.
"""

from django.conf import settings
from django.db import models


class ReachSnapshot(models.Model):
    """The reach counts (`measures.Cells` as JSON) as of a date, computed from families and
    contacts by `services.reach_snapshot_refresh`. Dashboards read the latest one."""

    as_of = models.DateField(help_text="The reference date of every measure in it")
    computed_at = models.DateTimeField(auto_now_add=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    config = models.JSONField(help_text="The measure settings used (window, threshold, kinds)")
    cells = models.JSONField(help_text="Counts per area and target-group mask, and per month")
    includes_simulated = models.BooleanField(
        default=False, help_text="True when any counted family is simulated (demo data)"
    )
    seconds = models.FloatField(default=0, help_text="How long the reduction took")

    class Meta:
        ordering = ["-as_of", "-computed_at"]
        indexes = [models.Index(fields=["as_of", "computed_at"])]
        permissions = [("view_reach", "Can see reach dashboards and exports")]

    def __str__(self) -> str:
        return f"Reach as of {self.as_of:%d %b %Y}"


class SimulationRun(models.Model):
    """One `familyreach demo simulate` run: its parameters, assumptions and outcome."""

    created_at = models.DateTimeField(auto_now_add=True)
    seed = models.PositiveIntegerField()
    families = models.PositiveIntegerField(help_text="Families simulated (registered or not)")
    months = models.PositiveSmallIntegerField()
    as_of = models.DateField()
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Simulation {self.pk} (seed {self.seed})"


class SimulatedFamily(models.Model):
    """Marks a family record written by the simulator, so a re-run can replace exactly those."""

    run = models.ForeignKey(
        SimulationRun, on_delete=models.CASCADE, related_name="families_written"
    )
    family = models.OneToOneField(
        "families.Family", on_delete=models.CASCADE, related_name="simulation_marker"
    )

    def __str__(self) -> str:
        return f"Simulated family {self.family_id}"


class OutreachSeed(models.Model):
    """The unreached need a "plan outreach here" scenario was seeded with, per area."""

    scenario = models.ForeignKey(
        "planning.Scenario", on_delete=models.CASCADE, related_name="insight_seeds"
    )
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    unreached_under_fives = models.FloatField()
    demand_weight = models.FloatField()
    as_of = models.DateField()

    class Meta:
        ordering = ["-demand_weight"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "area"], name="insight_seed_unique")
        ]

    def __str__(self) -> str:
        return f"{self.area_id}: {self.demand_weight:.1f}"
