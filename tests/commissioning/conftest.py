"""A simulated year for commissioning: the small county, families across its ten areas with
contacts spread over 2025 and 2026, an adopted network (so the money page has figures), a
provider in the directory and a county-wide contract held to every insight measure."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.commissioning.models import Contract, ContractMeasure
from familyreach.community.models import AttendanceCount, CommunityGroup, GroupStatus
from familyreach.delivery.models import Contact, Occurrence, Session
from familyreach.directory import services as directory_services
from familyreach.families.models import Child, Family
from familyreach.planning.models import Scenario
from familyreach.planning.services import scenario_adopt, scenario_run_now
from tests.fixtures.directory import support_request_for_family
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
    ("first_contact_days", 7.0, 3.0),
    ("first_contact_within_target", 0.8, 0.1),
    ("peer_led_share", 0.25, 0.05),
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
    families = []
    for number in range(60):
        area = areas[number % len(areas)]
        family = Family.objects.create(area=area, district=area.district)
        families.append(family)
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
    requests_and_sessions_create(small_county, families)
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


def requests_and_sessions_create(county: dict[str, Any], families: list[Family]) -> None:
    """Requests for support over the year (each family asks once or twice; the contacts above
    answer them after a few days or weeks, or not at all) and sessions held: the service's own
    every week at a centre, and a peer-led group meeting at a library more often as the year
    goes on."""
    for number, family in enumerate(families * 2):
        requested = date(2025, 10, 1) + timedelta(days=(number * 11) % 365)
        support_request_for_family(
            family,
            made_on=requested,
            reference=f"T{number:05d}",
            # A quarter of them were phoned back and recorded as contacted on the request.
            contacted_at=datetime.combine(
                requested + timedelta(days=number % 4), time(12), tzinfo=UTC
            )
            if number % 4 == 0
            else None,
        )
    venues = county["venues"]
    session = Session.objects.filter(venue=venues[CENTRES[0]]).first()
    assert session is not None
    for week in range(52):
        day = date(2025, 10, 6) + timedelta(weeks=week)
        Occurrence.objects.create(
            session=session,
            date=day,
            starts_at=datetime.combine(day, time(10), tzinfo=UTC),
            ends_at=datetime.combine(day, time(11), tzinfo=UTC),
            capacity=20,
        )
    group = CommunityGroup.objects.create(
        name="Acle parents' group",
        kind="baby_group",
        description="Run by local parents.",
        who_for="Parents of babies",
        venue=venues["Acle Library"],
        venue_name="Acle Library",
        venue_postcode="NR13 3AA",
        contact_email="group@example.org",
        status=GroupStatus.APPROVED,
    )
    for number in range(40):
        # Meetings bunch towards the end of the year, so each quarter's share differs.
        met_on = date(2026, 9, 30) - timedelta(days=(number * number) % 360)
        AttendanceCount.objects.get_or_create(
            group=group, met_on=met_on, defaults={"children": 4, "adults": 3}
        )
