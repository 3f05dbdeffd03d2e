"""Demo step: a provider's county-wide contract with the last four complete quarters' returns,
drafted from the simulated records. Three are signed off; the latest is submitted and waits
for the commissioner, with an amber measure explained. Idempotent: an existing demo contract
is left as it is."""

from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.utils import timezone

from familyreach.commissioning import services
from familyreach.commissioning.models import Contract, ContractMeasure, Rating, Review
from familyreach.commissioning.quarters import quarter_ends_before
from familyreach.commissioning.selectors import return_figures
from familyreach.core.output import Output
from familyreach.directory.services import organization_upsert
from familyreach.insight.selectors import latest_snapshot
from familyreach.insight.services import reach_snapshot_refresh

DEMO_CONTRACT = "Early childhood and family service (demo)"
# (code, target, amber tolerance), shares as fractions and money in pounds. Seen reach's target
# is set just above the latest quarter's figure (see `load`), so the demo shows an amber measure.
MEASURES = (
    ("seen_reach", None, 0.03),
    ("greatest_need_gap", 0.35, 0.05),
    ("registered_reach", 0.6, 0.05),
    ("sustained_reach", 0.2, 0.05),
    ("buildings_share", 0.4, 0.05),
    ("cost_per_family_seen", 600.0, 100.0),
    ("improved_outcomes", 0.6, 0.1),
    ("first_contact_days", 7.0, 3.0),
    ("first_contact_within_target", 0.8, 0.1),
    ("peer_led_share", 0.2, 0.05),
)


def last_quarter_ends(today: date, count: int) -> list[date]:
    """The ends of the last `count` quarters ended before `today`, oldest first."""
    return sorted(quarter_ends_before(today, count))


def load(stdout: Output) -> None:
    if Contract.objects.filter(name=DEMO_CONTRACT).exists():
        stdout.write("The demo contract is already there.\n")
        return
    users = get_user_model().objects
    # The demo accounts step runs first: the provider's manager and the commissioner.
    provider_manager = users.get(username="demo-provider")
    commissioner = users.get(username="demo-planner")
    provider = organization_upsert(
        source="demo",
        source_reference="demo-provider",
        name="Norfolk Family Partnership (demo provider)",
        description="A made-up charity that runs the county's early childhood service (demo).",
    )
    quarter_ends = last_quarter_ends(timezone.localdate(), 4)
    contract = Contract.objects.create(
        name=DEMO_CONTRACT,
        provider=provider,
        services="Family hubs, outreach sessions and home visiting for families with under-fives.",
        starts_on=services.quarter_start_for(quarter_ends[0]),
        ends_on=quarter_ends[0] + relativedelta(years=3),
        annual_value=Decimal("5200000"),
    )
    contract.provider_managers.add(provider_manager)
    for position, (code, target, tolerance) in enumerate(MEASURES):
        ContractMeasure.objects.create(
            contract=contract,
            code=code,
            target=0.0 if target is None else target,
            tolerance=tolerance,
            position=position,
        )
    # Seen reach's target: one point above the latest quarter's figure (amber then).
    latest_end = quarter_ends[-1]
    snapshot = latest_snapshot(as_of=latest_end) or reach_snapshot_refresh(as_of=latest_end)
    figures = return_figures(
        contract=contract,
        snapshot=snapshot,
        quarter_start=services.quarter_start_for(latest_end),
        quarter_end=latest_end,
    )
    seen = next(item for item in figures if item.code == "seen_reach")
    if seen.value is not None:
        ContractMeasure.objects.filter(contract=contract, code="seen_reach").update(
            target=round(seen.value + 0.01, 3)
        )
    for quarter_end in quarter_ends:
        drafted = services.return_draft(user=None, contract=contract, quarter_end=quarter_end)
        explanations = {
            measure.code: (
                "Two outreach workers left in the spring; the villages' sessions restarted in "
                "the last month of the quarter (demo)."
                if measure.rating == Rating.AMBER
                else "Below target while the new family hubs open (demo)."
            )
            for measure in drafted.measures.all()
            if measure.rating in (Rating.AMBER, Rating.RED)
        }
        services.return_update(
            user=provider_manager,
            quarterly_return=drafted,
            narrative=f"The quarter to {quarter_end:%-d %B %Y}: sessions ran in every district; "
            "outreach grew in the rural west (demo narrative).",
            case_studies="",
            case_studies_consented=False,
            explanations=explanations,
        )
        services.return_submit(user=provider_manager, quarterly_return=drafted)
        if quarter_end != latest_end:
            for measure in drafted.measures.all():
                services.return_measure_review(
                    user=commissioner,
                    quarterly_return=drafted,
                    measure_id=measure.pk,
                    decision=Review.AGREED,
                    comment="",
                )
            services.return_sign_off(user=commissioner, quarterly_return=drafted)
        drafted.refresh_from_db()
        stdout.write(
            f"Return for the quarter to {quarter_end:%-d %B %Y}: {drafted.get_status_display().lower()}.\n"
        )
