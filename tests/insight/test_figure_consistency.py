"""One world, every page: reach, travel time and cost show the same value wherever they appear
(issue 17, "One definition per figure"; docs/figures.md).

The world: the small county; sessions running at the two children's centres with attendance in
the last months; an adopted option (the two centres as bases plus outreach); the same network
with a budget; and today's network (the two centres alone) as a planning scenario of its own.
Every page and export that shows one of the figures is requested with the test client and the
figure read out of it."""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from familyreach.accounts.models import User
from familyreach.delivery.models import Contact
from familyreach.families.models import Child, Family
from familyreach.insight.disclosure import MARK
from familyreach.insight.services import reach_snapshot_refresh
from familyreach.insight.tables import percent
from familyreach.planning.models import Scenario
from familyreach.planning.services import scenario_adopt, scenario_run_now
from tests.fixtures.planning import CENTRES, centre_sessions_create

# Six days into June: June is counted only so far (the "month 6 days old").
AS_OF = date(2026, 6, 6)
OUTREACH = [("Acle Library", 2), ("Thorpe Village Hall", 2)]
TRAVEL = "Mean travel to the nearest service point by car"
BUILDINGS = "Buildings, £ a year"
FRONTLINE = "Frontline staff for the outreach sessions, £ a year"
TOTAL = "Buildings and frontline staff, £ a year"


class _Tables(HTMLParser):
    """Every table row of a page as a list of cell texts (header cells included)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._cell is not None and self.rows:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _row(html: str, label: str) -> list[str]:
    """The cells after the row header `label` (the first table row starting with it)."""
    parser = _Tables()
    parser.feed(html)
    for row in parser.rows:
        if row and row[0].startswith(label):
            return row[1:]
    raise AssertionError(f"no table row {label!r}")


def _figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}"[^>]*>([^<]+)<', html)
    assert match, name
    return match.group(1).strip()


@dataclass
class World:
    adopted: Scenario
    budgeted: Scenario
    today: Scenario
    manager: User


@pytest.fixture
def world(
    small_county: dict[str, Any],
    make_scenario: Callable[..., Scenario],
    make_user: Callable[..., User],
    manager: User,
) -> World:
    centre_sessions_create(county=small_county, user=manager, start_date=date(2026, 1, 5))
    # 40 families with an under-five across the ten areas; 30 attended a session (attendance is
    # recorded as a contact, as closing a register records it), in May and in June so far.
    areas = small_county["areas"]
    for number in range(40):
        area = areas[number % len(areas)]
        family = Family.objects.create(area=area, district=area.district)
        Child.objects.create(family=family, date_of_birth=date(2023, 3, 1 + number % 28))
        if number < 30:
            Contact.objects.create(
                family=family,
                date=date(2026, 5, 1 + number % 28) if number % 3 else date(2026, 6, 2),
                kind="session_attendance",
                area=area,
            )
    reach_snapshot_refresh(as_of=AS_OF)

    def run(name: str, **fields: Any) -> Scenario:
        scenario = make_scenario(name=name, **fields)
        scenario_run_now(scenario=scenario, user=None)
        scenario.refresh_from_db()
        return scenario

    network = {"number_of_bases": 2, "forced_open": CENTRES}
    adopted = run("Option A", outreach=OUTREACH, **network)
    scenario_adopt(scenario=adopted, user=manager)
    return World(
        adopted=adopted,
        # The same network with a budget: its staff cost must not change (issue 17: £350k
        # without a budget, £4.9m with one).
        budgeted=run("Option A within £500,000", outreach=OUTREACH, budget=500_000, **network),
        # Today's network (where sessions run) as planning sees it.
        today=run("Today's network", **network),
        manager=manager,
    )


def test_every_page_shows_the_same_reach_travel_and_cost(world: World) -> None:
    client = Client()
    client.force_login(world.manager)

    # --- Reach: dashboard, manager's Today page, plan-effect page, CSV and Excel exports ------
    dashboard = client.get(reverse("insight:dashboard")).content.decode()
    seen_reach = _figure(dashboard, "seen-reach")
    gap = _figure(dashboard, "greatest-need-gap")
    assert seen_reach.endswith("%")
    assert gap.endswith("%")
    today_page = client.get("/staff/").content.decode()
    assert _figure(today_page.replace("data-testid", "data-figure"), "today-reach-figure") == (
        seen_reach
    )
    effect_page = client.get(
        reverse("insight:plan-effect") + f"?scenario={world.adopted.pk}"
    ).content.decode()
    assert _figure(effect_page, "seen-reach") == seen_reach
    assert _figure(effect_page, "greatest-need-gap") == gap
    summary = list(
        csv.DictReader(
            io.StringIO(
                client.get(reverse("insight:export-csv") + "?table=summary").content.decode()
            )
        )
    )
    assert percent(float(summary[0]["Seen reach"])) == seen_reach
    assert percent(float(summary[1]["Under-fives not seen"])) == gap
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("insight:export-xlsx")).content), read_only=True
    )
    sheet = list(workbook["Summary"].iter_rows(values_only=True))
    assert percent(sheet[1][list(sheet[0]).index("Seen reach")]) == seen_reach  # type: ignore[arg-type]

    # --- Travel: planning (page, report, comparison) and the plan-effect page -----------------
    detail = client.get(reverse("planning:detail", args=[world.adopted.pk])).content.decode()
    travel = _row(detail, TRAVEL)[0]
    assert travel.endswith(" min")
    report = client.get(reverse("planning:report", args=[world.adopted.pk])).content.decode()
    assert _row(report, TRAVEL)[0] == travel
    assert _figure(effect_page, "travel-option") == travel
    # Today's travel on the plan-effect page is what planning shows for today's network.
    today_detail = client.get(reverse("planning:detail", args=[world.today.pk])).content.decode()
    assert _figure(effect_page, "travel-today") == _row(today_detail, TRAVEL)[0]

    # --- Cost: planning (with and without a budget), the comparison and the money page --------
    buildings, frontline, total = (
        _row(detail, label)[0] for label in (BUILDINGS, FRONTLINE, TOTAL)
    )
    assert frontline.startswith("£")
    assert frontline != "£0"
    budgeted = client.get(reverse("planning:detail", args=[world.budgeted.pk])).content.decode()
    assert [_row(budgeted, label)[0] for label in (BUILDINGS, FRONTLINE, TOTAL)] == [
        buildings,
        frontline,
        total,
    ]
    # The budget is shown beside the cost, under its own name, and adds up.
    left = _row(budgeted, "Budget left after buildings and outreach staff")[0]
    as_number = lambda text: int(text.replace("£", "").replace(",", ""))  # noqa: E731
    assert as_number(left) == 500_000 - as_number(total)
    compare = client.get(
        reverse("planning:compare") + f"?scenario={world.adopted.pk}&scenario={world.budgeted.pk}"
    ).content.decode()
    assert _row(compare, FRONTLINE) == [frontline, frontline]
    assert _row(compare, TRAVEL) == [travel, travel]
    money = client.get(reverse("insight:money")).content.decode()
    assert _figure(money, "buildings") == buildings
    assert _figure(money, "frontline-plan") == frontline
    assert _figure(money, "total-cost-plan") == total


def test_the_month_counted_only_so_far_is_marked_partial_everywhere(world: World) -> None:
    client = Client()
    client.force_login(world.manager)
    dashboard = client.get(reverse("insight:dashboard")).content.decode()
    months = dashboard.split('id="table-months"')[1].split("</table>")[0]
    partial_rows = re.findall(r'<tr class="[^"]*app-partial-period[^"]*"', months)
    assert len(partial_rows) == 1
    assert '2026-06 <strong class="govuk-tag govuk-tag--yellow">So far</strong>' in months
    assert "2026-05 <strong" not in months
    assert "counted only to 6 June 2026" in dashboard
    data = client.get(reverse("insight:data")).json()
    assert [row["month"] for row in data["months"] if row["partial"]] == ["2026-06"]
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(reverse("insight:export-csv") + "?table=months").content.decode()
            )
        )
    )
    periods = {row["Month"]: row["Period"] for row in rows}
    assert periods["2026-06"] == "partial month: 1 to 6 June 2026 so far"
    assert periods["2026-05"] == "complete month"
    by_group = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    reverse("insight:export-csv") + "?table=months_by_group"
                ).content.decode()
            )
        )
    )
    assert {row["Month"]: row["Period"] for row in by_group}["2026-06"].startswith("partial")
    assert MARK not in periods.values()
