"""Small-number suppression: counts 1–4 and the rates built on them never reach a page, the
chart data or an export, and no published total gives a hidden count away."""

import csv
import io
import random
import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from familyreach.delivery.models import Contact
from familyreach.families.models import Child, Family
from familyreach.geo.models import Area
from familyreach.insight.disclosure import (
    MARK,
    SUPPRESSED_COUNTS,
    _structure,
    hidden_cells,
    protect,
    roll_up_published,
)
from familyreach.insight.measures import (
    AreaRow,
    Cells,
    Counts,
    MeasureConfig,
    MonthCounts,
)
from familyreach.insight.services import reach_snapshot_refresh
from tests.factories.geo import DistrictFactory

AS_OF = date(2026, 6, 30)


# --- The rule itself ---------------------------------------------------------------------------


def test_counts_one_to_four_are_hidden_and_zero_and_five_are_shown() -> None:
    values = {"a": 0, "b": 1, "c": 4, "d": 5, "total": 10}
    # No partition: only primary suppression.
    assert protect(values, [], threshold=5) == {"b", "c"}
    assert protect(values, [], threshold=1) == set()  # suppression off
    assert protect(values, [], threshold=3) == {"b"}  # the threshold is a setting


def test_a_total_never_gives_a_single_hidden_cell_away() -> None:
    # 25 = 3 + 10 + 12: hiding 3 alone lets 25 − 10 − 12 reveal it, so 10 goes too.
    values = {"x": 3, "y": 10, "z": 12, "total": 25}
    assert protect(values, [("total", ["x", "y", "z"])], threshold=5) == {"x", "y"}
    # Two small cells adding up to at least the threshold protect each other.
    values = {"x": 3, "y": 4, "z": 12, "total": 19}
    assert protect(values, [("total", ["x", "y", "z"])], threshold=5) == {"x", "y"}
    # A hidden total needs a hidden part, or adding up the parts would reveal it.
    values = {"x": 0, "y": 3, "total": 3, "grand": 20, "other": 17}
    hidden = protect(values, [("total", ["x", "y"]), ("grand", ["total", "other"])], threshold=5)
    assert {"y", "total", "other"} <= hidden


def _random_areas(rng: random.Random) -> list[AreaRow]:
    areas = []
    for number in range(40):
        decile = rng.randint(1, 10)
        areas.append(
            AreaRow(
                area_id=number + 1,
                code=f"E0{number:07d}",
                name=f"Area {number}",
                district_id=1 + number % 4,
                district_name=f"District {1 + number % 4}",
                idaci_decile=decile,
                under_fives=60.0,
                under_fives_is_estimate=True,
                greatest_need=decile <= 2,
            )
        )
    return areas


@pytest.mark.parametrize("seed", range(8))
def test_every_published_total_leaves_its_hidden_cells_at_zero_or_the_threshold(
    seed: int,
) -> None:
    rng = random.Random(seed)
    areas = _random_areas(rng)
    config = MeasureConfig()
    cells = Cells(as_of=AS_OF, config=config)
    for area in areas:
        for mask in rng.sample(range(32), 3):
            seen = rng.choice([0, 1, 2, 3, 4, 6, 9, 15])
            cells.reach[(area.area_id, mask)] = Counts(
                registered_families=seen + rng.choice([0, 1, 3, 8]),
                registered_under_fives=seen + 9,
                seen_families=seen,
                seen_under_fives=seen + rng.choice([0, 1, 2]),
                sustained_families=rng.choice([0, 1, 2, 5]) if seen else 0,
                sustained_under_fives=0,
            )
        cells.months[("2026-06", area.area_id)] = MonthCounts(rng.choice([0, 1, 3, 7]), 9)
    hidden = hidden_cells(cells, areas, threshold=5)
    members, partitions = _structure(areas)
    area_values = {}
    for (area_id, _), counts in cells.reach.items():
        area_values.setdefault(area_id, Counts()).add(counts)
    for name in SUPPRESSED_COUNTS:
        values = {
            node: sum(getattr(area_values[identifier], name) for identifier in identifiers)
            for node, identifiers in members.items()
        }
        nodes = hidden.reach[name]
        for node, value in values.items():
            if 0 < value < 5:
                assert node in nodes, (name, node, value)
        for total, parts in partitions:
            if values[total] == 0:
                continue
            if total in nodes:
                assert any(part in nodes and values[part] > 0 for part in parts)
            else:
                remainder = sum(values[part] for part in parts if part in nodes)
                assert remainder == 0 or remainder >= 5, (name, total, remainder)
    # The same in the report: a figure marked hidden is exactly a hidden node.
    report = roll_up_published(cells, areas, threshold=5)
    for figures in report.areas:
        assert figures.area is not None
        for name in SUPPRESSED_COUNTS:
            assert (name in figures.hidden) == (
                ("area", figures.area.area_id) in hidden.reach[name]
            )
    assert roll_up_published(cells, areas, threshold=1).total.hidden == frozenset()


# --- Pages and exports -------------------------------------------------------------------------


@pytest.fixture
def small_world(db: Any) -> dict[str, Area]:
    """Areas with known seen families: A 2 (hidden), B 7 (hidden so the district total does
    not give A away), C 9 and E 20 (shown)."""
    first = DistrictFactory(code="E07000145")
    second = DistrictFactory(code="E07000148")
    specs = {
        "A": ("E01026633", "Yarmouth Nelson", first, 1, 37.0, 2, 6),
        "B": ("E01026634", "Yarmouth Central", first, 1, 41.0, 7, 7),
        "C": ("E01026640", "Gorleston East", first, 5, 30.0, 9, 9),
        "E": ("E01026800", "Norwich Mancroft", second, 1, 80.0, 20, 20),
    }
    areas = {}
    for key, (code, name, district, decile, under_fives, seen, registered) in specs.items():
        area = Area.objects.create(
            code=code,
            name=name,
            district=district,
            idaci_decile=decile,
            latitude=52.6,
            longitude=1.7,
            under_fives=under_fives,
            under_fives_is_estimate=True,
        )
        areas[key] = area
        for number in range(registered):
            family = Family.objects.create(area=area, district=district)
            Child.objects.create(family=family, date_of_birth=AS_OF - timedelta(days=400))
            if number < seen:
                Contact.objects.create(
                    family=family,
                    date=AS_OF - timedelta(days=3),
                    kind="session_attendance",
                    area=area,
                    district=district,
                )
    reach_snapshot_refresh(as_of=AS_OF)
    return areas


def _row(page: str, label: str) -> str:
    match = re.search(rf">{re.escape(label)}</a>.*?</tr>", page, re.DOTALL)
    assert match, label
    return match.group(0)


def test_hidden_counts_never_reach_a_page(small_world: dict[str, Area], manager: Any) -> None:
    client = Client()
    client.force_login(manager)
    page = client.get(reverse("insight:district", args=["E07000145"])).content.decode()
    assert 'data-testid="suppression-note"' in page
    for key in ("A", "B"):
        row = _row(page, small_world[key].name)
        assert MARK in row
    assert "5.4 %" not in _row(page, small_world["A"].name)  # 2 of 37 seen
    assert "17.1 %" not in _row(page, small_world["B"].name)  # 7 of 41 seen
    shown = _row(page, small_world["C"].name)
    assert MARK not in shown.split("</th>")[1].split("</td>")[2]  # families seen: 9
    assert "30.0 %" in shown  # 9 of 30 seen
    # The district's own total (18 seen) is shown: 18 − 9 would give only A + B.
    assert "18" in page

    area_page = client.get(reverse("insight:area", args=["E01026633"])).content.decode()
    seen = re.search(r'data-testid="seen-reach">(.*?)</dd>', area_page, re.DOTALL)
    assert seen
    assert MARK in seen.group(1)
    assert "5.4 %" not in area_page
    assert "94.6 %" not in area_page  # under-fives not seen, 35 of 37, also hidden
    # The month's two families are hidden in the area's trend table.
    months = area_page.split('id="table-months"')[1].split("</table>")[0]
    assert "2026-06" in months
    assert MARK in months


def test_hidden_counts_never_reach_the_chart_data_or_the_exports(
    small_world: dict[str, Area], manager: Any
) -> None:
    client = Client()
    client.force_login(manager)
    data = client.get(reverse("insight:data") + "?district=E07000145").json()
    by_code = {area["code"]: area for area in data["areas"]}
    for code in ("E01026633", "E01026634"):
        assert by_code[code]["seen_reach"] is None
        assert "seen_families" in by_code[code]["suppressed"]
    assert by_code["E01026640"]["seen_reach"] == pytest.approx(9 / 30)

    response = client.get(reverse("insight:export-csv") + "?table=areas")
    rows = {row["Area code"]: row for row in csv.DictReader(io.StringIO(response.text))}
    for code in ("E01026633", "E01026634"):
        assert rows[code]["Families seen"] == MARK
        assert rows[code]["Seen reach"] == MARK
        assert rows[code]["Unreached under-fives (estimated)"] == MARK
        assert rows[code]["Unreached need (weighted)"] == MARK
    assert rows["E01026640"]["Families seen"] == "9"
    assert "[c] = confidential" in next(iter(rows.values()))["Notes"]

    workbook = load_workbook(io.BytesIO(client.get(reverse("insight:export-xlsx")).content))
    sheet = list(workbook["Areas"].iter_rows(values_only=True))
    heading = list(sheet[0])
    code_at, seen_at = heading.index("Area code"), heading.index("Families seen")
    by_code_xlsx = {row[code_at]: row for row in sheet[1:]}
    assert by_code_xlsx["E01026633"][seen_at] == MARK
    assert by_code_xlsx["E01026634"][seen_at] == MARK
    assert by_code_xlsx["E01026640"][seen_at] == 9
    notes = [row[0] for row in workbook["Notes"].iter_rows(values_only=True)]
    assert any("[c] = confidential" in str(note) for note in notes)
    under_fives_at = heading.index("Under-fives in seen families")
    assert by_code_xlsx["E01026633"][under_fives_at] == MARK


def test_ranking_places_a_hidden_area_by_public_figures_only(
    small_world: dict[str, Area], manager: Any
) -> None:
    from familyreach.insight.selectors import dashboard_report, latest_snapshot

    snapshot = latest_snapshot()
    assert snapshot is not None
    report = dashboard_report(snapshot=snapshot).report
    published = report.published_ranking

    def public_key(figures: Any) -> tuple[float, str]:
        # What a reader can see: unreached need where shown, else estimate × need weight.
        if "seen_under_fives" in figures.hidden:
            return (-figures.estimated_under_fives * figures.area.need_weight, figures.key)
        return (-figures.unreached_need, figures.key)

    assert [figures.key for figures in published] == [
        figures.key for figures in sorted(report.ranking, key=public_key)
    ]
    hidden = [figures for figures in published if "seen_under_fives" in figures.hidden]
    assert {figures.key for figures in hidden} == {"E01026633", "E01026634"}
