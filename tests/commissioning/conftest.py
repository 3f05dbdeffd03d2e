"""A simulated year for commissioning: the small county, families across its ten areas with
contacts spread over 2025 and 2026, an adopted network (so the money page has figures), a
provider in the directory and a county-wide contract held to every insight measure."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.commissioning.models import Contract, ContractMeasure
from familyreach.delivery.models import Contact
from familyreach.directory import services as directory_services
from familyreach.families.models import Child, Family
from familyreach.planning.models import Scenario
from familyreach.planning.services import scenario_adopt, scenario_run_now
from tests.fixtures.planning import CENTRES, centre_sessions_create

QUARTER_ENDS = [date(2025, 12, 31), date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30)]
# (code, target, tolerance): shares as fractions, money in pounds.
MEASURES = (
    ("seen_reach", 0.9, 0.05),
    ("greatest_need_gap", 0.05, 0.05),
    ("registered_reach", 0.5, 0.1),
    ("sustained_reach", 0.5, 0.1),
    ("buildings_share", 0.4, 0.1),
    ("cost_per_family_seen", 5000.0, 1000.0),
    ("improved_outcomes", 0.6, 0.1),
)


@dataclass
class CommissioningWorld:
    contract: Contract
    provider_manager: User
    commissioner: User
    manager: User


@pytest.fixture
def commissioning_world(
    small_county: dict[str, Any],
    make_scenario: Callable[..., Scenario],
    make_user: Callable[..., User],
    manager: User,
) -> CommissioningWorld:
    centre_sessions_create(county=small_county, user=manager, start_date=date(2025, 1, 6))
    # 60 families over the ten areas; most seen, some often, in months spread over 21 months,
    # so each quarter's rolling year differs.
    areas = small_county["areas"]
    for number in range(60):
        area = areas[number % len(areas)]
        family = Family.objects.create(area=area, district=area.district)
        Child.objects.create(family=family, date_of_birth=date(2023, 1 + number % 12, 1))
        for visit in range(number % 5):
            month = 1 + (number * 7 + visit * 5) % 21
            year, month = (2025, month) if month <= 12 else (2026, month - 12)
            Contact.objects.create(
                family=family,
                date=date(year, month, 1 + (number + visit) % 27),
                kind="session_attendance",
                area=area,
                district=area.district,
            )
    scenario = make_scenario(
        name="Option A", number_of_bases=2, forced_open=CENTRES, outreach=[("Acle Library", 2)]
    )
    scenario_run_now(scenario=scenario, user=None)
    scenario.refresh_from_db()
    scenario_adopt(scenario=scenario, user=manager)

    provider = directory_services.organization_upsert(
        source="test",
        source_reference="commissioning-provider",
        name="Action for Children (test)",
        description="The provider.",
    )
    provider_manager = make_user(Role.PROVIDER_MANAGER, username="pat-provider")
    contract = Contract.objects.create(
        name="Early childhood and family service",
        provider=provider,
        starts_on=date(2025, 10, 1),
        ends_on=date(2028, 9, 30),
        annual_value=Decimal("5200000"),
    )
    contract.provider_managers.add(provider_manager)
    for position, (code, target, tolerance) in enumerate(MEASURES):
        ContractMeasure.objects.create(
            contract=contract, code=code, target=target, tolerance=tolerance, position=position
        )
    return CommissioningWorld(
        contract=contract,
        provider_manager=provider_manager,
        commissioner=make_user(Role.PLANNER, username="cora-commissioner"),
        manager=manager,
    )
