"""The measures as pure functions over constructed rows: each figure worked out by hand."""

from datetime import date

import pytest

from familyreach.insight.measures import (
    AreaRow,
    Cells,
    ContactRow,
    FamilyRow,
    MeasureConfig,
    family_cells,
    roll_up,
    target_mask,
    unreached_greatest_need,
)

AS_OF = date(2026, 6, 30)
CONFIG = MeasureConfig()

AREAS = [
    # Two areas in district 1 (one of greatest need), one in district 2.
    AreaRow(1, "E01000001", "Yarmouth 001A", 1, "Great Yarmouth", 1, 100.0, True, True, 2.0),
    AreaRow(2, "E01000002", "Yarmouth 001B", 1, "Great Yarmouth", 6, 50.0, True, False, 1.0),
    AreaRow(3, "E01000003", "Norwich 001A", 2, "Norwich", 2, 40.0, False, True, 1.5),
]


def contacts(family_id: int, *days: date, kind: str = "session_attendance") -> list[ContactRow]:
    return [ContactRow(family_id, day, kind) for day in days]


FAMILIES = [
    # Two under-fives, five contacts: one family, two under-fives, seen and sustained.
    FamilyRow(
        10, 1, (date(2023, 1, 1), date(2025, 5, 1)), frozenset({"lone_parent", "young_parent"})
    ),
    # One under-five (born the day before the fifth birthday cut-off), one contact: seen only.
    FamilyRow(11, 1, (date(2021, 7, 1),), frozenset({"lone_parent"})),
    # Child turned five on 30 June 2026: not under five, so not registered for reach.
    FamilyRow(12, 1, (date(2021, 6, 30),)),
    # Under-five, contacts only outside the window or of an uncounted kind: registered, not seen.
    FamilyRow(13, 2, (date(2024, 2, 2),)),
    # Under-five with three contacts in the window: sustained.
    FamilyRow(14, 3, (date(2022, 9, 9),), frozenset({"workless_household"})),
    # No known area (e.g. lives over the border): counted apart.
    FamilyRow(15, None, (date(2025, 1, 1),)),
    # A baby not yet born on the reference date (dates after as_of are ignored).
    FamilyRow(16, 2, (date(2026, 7, 15),)),
]
CONTACTS = [
    *contacts(10, date(2026, 1, 5), date(2026, 2, 5), date(2026, 2, 12), date(2026, 3, 1)),
    *contacts(10, date(2026, 4, 1), kind="home_visit"),
    *contacts(11, date(2025, 7, 1)),  # first day of the window
    *contacts(12, date(2026, 5, 5), date(2026, 5, 6), date(2026, 5, 7)),
    *contacts(13, date(2025, 6, 30)),  # the day before the window
    *contacts(13, date(2026, 3, 3), kind="phone"),  # phone calls are not counted by default
    *contacts(13, date(2026, 7, 1)),  # after the reference date
    *contacts(14, date(2026, 1, 1), date(2026, 2, 1)),
    *contacts(14, date(2026, 3, 1), kind="one_to_one"),
]


@pytest.fixture
def cells() -> Cells:
    return family_cells(FAMILIES, CONTACTS, as_of=AS_OF, config=CONFIG)


def test_a_family_is_counted_once_however_many_children_or_contacts(cells: Cells) -> None:
    counts = cells.reach[(1, target_mask({"lone_parent", "young_parent"}))]
    assert counts.registered_families == 1
    assert counts.registered_under_fives == 2
    assert counts.seen_families == 1
    assert counts.sustained_families == 1
    assert counts.sustained_under_fives == 2


def test_window_and_age_edges(cells: Cells) -> None:
    seen_once = cells.reach[(1, target_mask({"lone_parent"}))]
    assert (seen_once.registered_families, seen_once.seen_families) == (1, 1)
    assert seen_once.sustained_families == 0
    not_seen = cells.reach[(2, 0)]
    # Family 13 registered but not seen; family 16's baby is not yet born; 12 is too old.
    assert (not_seen.registered_families, not_seen.seen_families) == (1, 0)
    assert (1, 0) not in cells.reach


def test_roll_up_county(cells: Cells) -> None:
    report = roll_up(cells, AREAS)
    total = report.total
    assert total.estimated_under_fives == 190.0
    assert total.counts.registered_families == 4  # 10, 11, 13, 14
    assert total.counts.seen_families == 3  # 10, 11, 14
    assert total.counts.sustained_families == 2  # 10, 14
    assert total.registered_reach == pytest.approx(4 / 190)
    assert total.seen_reach == pytest.approx(3 / 190)
    assert total.sustained_reach == pytest.approx(2 / 190)
    assert total.seen_share_of_registered == pytest.approx(3 / 4)
    assert report.families_without_area == 1
    assert report.any_estimate is True
    # Norwich 001A is counted, the two Yarmouth areas estimated (no labels in these rows).
    assert report.under_fives_source == (
        "ONS single year of age in 1 area; estimate: 0–15 (mid-2015) × 0.335 in 2 areas with "
        "no count (marked “est.”)."
    )


def test_roll_up_by_district_decile_and_target_group(cells: Cells) -> None:
    report = roll_up(cells, AREAS)
    districts = {figures.label: figures for figures in report.districts}
    assert districts["Great Yarmouth"].estimated_under_fives == 150.0
    assert districts["Great Yarmouth"].counts.registered_families == 3
    assert districts["Norwich"].counts.seen_families == 1
    assert districts["Norwich"].under_fives_is_estimate is False
    deciles = {figures.key: figures for figures in report.deciles}
    assert [figures.key for figures in report.deciles] == ["1", "2", "6"]
    assert deciles["1"].counts.seen_under_fives == 3
    groups = {figures.key: figures for figures in report.target_groups}
    assert groups["lone_parent"].counts.registered_families == 2
    assert groups["young_parent"].counts.registered_families == 1
    assert groups["workless_household"].counts.sustained_families == 1
    assert groups["lone_parent"].registered_reach is None  # no population estimate per group


def test_greatest_need_gap_and_ranking(cells: Cells) -> None:
    report = roll_up(cells, AREAS)
    # Greatest-need areas 1 and 3: 140 estimated under-fives; seen under-fives 3 + 1.
    assert report.greatest_need.estimated_under_fives == 140.0
    assert report.greatest_need.counts.seen_under_fives == 4
    assert report.greatest_need.not_seen_share == pytest.approx(1 - 4 / 140)
    # Unreached need = (estimate - seen under-fives) x need weight.
    assert [figures.key for figures in report.ranking] == ["E01000001", "E01000003", "E01000002"]
    assert report.ranking[0].unreached_need == pytest.approx((100 - 3) * 2.0)
    assert report.ranking[1].unreached_need == pytest.approx((40 - 1) * 1.5)
    assert unreached_greatest_need(report) == {1: 97.0, 3: 39.0}


def test_months_count_each_family_once_a_month(cells: Cells) -> None:
    report = roll_up(cells, AREAS)
    months = {month.month: month for month in report.months}
    assert len(report.months) == CONFIG.trend_months
    assert report.months[-1].month == "2026-06"
    # February 2026: family 10 twice (one family), family 14 once.
    assert (months["2026-02"].families_seen, months["2026-02"].contacts) == (2, 3)
    # May 2026: family 12 (no under-five now) was still seen that month.
    assert (months["2026-05"].families_seen, months["2026-05"].contacts) == (1, 3)
    assert "2026-07" not in months  # after the reference date
    assert (months["2026-04"].families_seen, months["2026-04"].contacts) == (1, 1)
    assert months["2026-06"].families_seen == 0


def test_drill_down_to_district_and_area(cells: Cells) -> None:
    district = roll_up(cells, AREAS, district_id=1, scope="Great Yarmouth")
    assert district.total.estimated_under_fives == 150.0
    assert district.total.counts.registered_families == 3
    assert district.families_without_area == 0
    assert [figures.key for figures in district.areas] == ["E01000001", "E01000002"]
    area = roll_up(cells, AREAS, area_id=3, scope="Norwich 001A")
    assert area.total.counts.as_list() == [1, 1, 1, 1, 1, 1, 0, 0]
    assert {month.month: month.contacts for month in area.months}["2026-03"] == 1


def test_configurable_sustained_threshold_and_kinds() -> None:
    config = MeasureConfig(
        sustained_minimum_contacts=2,
        seen_contact_kinds=frozenset({"session_attendance", "phone"}),
    )
    cells = family_cells(FAMILIES, CONTACTS, as_of=AS_OF, config=config)
    report = roll_up(cells, AREAS)
    assert report.total.counts.seen_families == 4  # family 13's phone call now counts
    assert report.total.counts.sustained_families == 2  # 10 (4 sessions) and 14 (2 sessions)


def test_cells_survive_json(cells: Cells) -> None:
    again = Cells.from_json(cells.to_json())
    assert again.reach == cells.reach
    assert again.months == cells.months
    assert again.config == cells.config


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ValueError, match="sustained_minimum_contacts"):
        MeasureConfig(sustained_minimum_contacts=0)
    with pytest.raises(ValueError, match="seen_contact_kinds"):
        MeasureConfig(seen_contact_kinds=frozenset())


# --- Where a contact is counted (issue 8, item 2) ----------------------------------------------


def test_a_family_is_seen_where_it_lived_at_its_latest_contact() -> None:
    families = [
        # Lives in area 2 now; seen in area 1 (before it moved), then area 3, then not recorded.
        FamilyRow(20, 2, (date(2024, 1, 1),)),
        # Lives in area 3; its only contact has no area recorded: counted in area 3.
        FamilyRow(21, 3, (date(2024, 1, 1),)),
    ]
    rows = [
        ContactRow(20, date(2026, 1, 10), "session_attendance", area_id=1),
        ContactRow(20, date(2026, 3, 10), "session_attendance", area_id=3),
        ContactRow(20, date(2026, 3, 10), "home_visit", area_id=None),  # same day, no area
        ContactRow(21, date(2026, 2, 1), "one_to_one", area_id=None),
    ]
    cells = family_cells(families, rows, as_of=AS_OF, config=CONFIG, area_districts={1: 1, 3: 2})
    # Registered where it lives now; seen (and sustained: 3 contacts) where it was last seen.
    assert cells.reach[(2, 0)].registered_families == 1
    assert cells.reach[(2, 0)].seen_families == 0
    assert cells.reach[(3, 0)].seen_families == 2  # family 20 (latest: area 3) and family 21
    assert cells.reach[(3, 0)].sustained_families == 1
    assert (1, 0) not in cells.reach  # an earlier area does not count it again
    report = roll_up(cells, AREAS)
    assert report.total.counts.seen_families == 2  # once each in the county
    # Months: January in area 1, March in area 3 (both contacts that day: the recorded area).
    assert cells.months[("2026-01", 1)].families_seen == 1
    assert cells.months[("2026-03", 3)].families_seen == 1
    assert cells.months[("2026-03", 3)].contacts == 2
    assert cells.months[("2026-02", 3)].families_seen == 1  # family 21, its own area


# --- Trends: rolling windows, months by group, expected babies (item 4) -------------------------


def test_rolling_window_counts_each_family_once_in_its_latest_area() -> None:
    config = MeasureConfig(window_months=3, trend_months=6)  # January to June 2026
    families = [FamilyRow(30, 1, (date(2024, 1, 1),)), FamilyRow(31, 3, (date(2024, 1, 1),))]
    rows = [
        # Family 30: November 2025 (before the trend: reaches into January's window), then
        # February 2026 in area 2 (moved for a while), then March in area 1.
        ContactRow(30, date(2025, 11, 20), "session_attendance", area_id=1),
        ContactRow(30, date(2026, 2, 3), "session_attendance", area_id=2),
        ContactRow(30, date(2026, 2, 4), "session_attendance", area_id=2),
        ContactRow(30, date(2026, 3, 1), "session_attendance", area_id=1),
        # Family 31: June only.
        ContactRow(31, date(2026, 6, 1), "home_visit", area_id=3),
    ]
    cells = family_cells(families, rows, as_of=AS_OF, config=config)
    # Windows of 3 calendar months ending each month:
    # Jan (Nov–Jan): 30 in area 1; Feb (Dec–Feb): 30 in area 2; Mar, Apr, May: 30 in area 1
    # (latest month March); Jun (Apr–Jun): 31 in area 3 only.
    assert cells.rolling == {
        ("2026-01", 1): 1,
        ("2026-02", 2): 1,
        ("2026-03", 1): 1,
        ("2026-04", 1): 1,
        ("2026-05", 1): 1,
        ("2026-06", 3): 1,
    }
    report = roll_up(cells, AREAS)
    assert [month.seen_in_window for month in report.months] == [1, 1, 1, 1, 1, 1]
    assert [month.families_seen for month in report.months] == [0, 1, 1, 0, 0, 1]
    district = roll_up(cells, AREAS, district_id=1)
    assert [month.seen_in_window for month in district.months] == [1, 1, 1, 1, 1, 0]


def test_months_by_target_group() -> None:
    families = [
        FamilyRow(40, 1, (date(2024, 1, 1),), frozenset({"lone_parent", "young_parent"})),
        FamilyRow(41, 3, (date(2024, 1, 1),), frozenset({"lone_parent"})),
        FamilyRow(42, 3, (date(2024, 1, 1),)),
    ]
    rows = [
        *contacts(40, date(2026, 5, 1), date(2026, 5, 2)),  # one family, twice in May
        *contacts(41, date(2026, 5, 9), date(2026, 6, 9)),
        *contacts(42, date(2026, 6, 1)),
    ]
    cells = family_cells(
        families, rows, as_of=AS_OF, config=CONFIG, area_districts={1: 1, 2: 1, 3: 2}
    )
    report = roll_up(cells, AREAS)
    assert report.month_groups is not None
    lone = {point.month: point.families_seen for point in report.month_groups["lone_parent"]}
    young = {point.month: point.families_seen for point in report.month_groups["young_parent"]}
    assert (lone["2026-05"], lone["2026-06"]) == (2, 1)
    assert (young["2026-05"], young["2026-06"]) == (1, 0)
    norwich = roll_up(cells, AREAS, district_id=2)
    assert norwich.month_groups is not None
    lone_norwich = {
        point.month: point.families_seen for point in norwich.month_groups["lone_parent"]
    }
    assert (lone_norwich["2026-05"], lone_norwich["2026-06"]) == (1, 1)
    assert roll_up(cells, AREAS, area_id=3).month_groups is None  # not for one area


def test_expected_babies_are_counted_apart_from_under_fives() -> None:
    families = [
        # Expecting only: not registered (no under-five), counted as expecting, seen.
        FamilyRow(50, 1, (), expected_due_dates=(date(2026, 9, 1),)),
        # An under-five and an expected baby: registered once, with one under-five.
        FamilyRow(51, 1, (date(2025, 1, 1),), expected_due_dates=(date(2026, 7, 20),)),
        # Due date long past with no birth recorded (stale): not counted at all.
        FamilyRow(52, 1, (), expected_due_dates=(date(2026, 1, 1),)),
        # Due more than 280 days ahead: not yet counted.
        FamilyRow(53, 1, (), expected_due_dates=(date(2027, 5, 1),)),
    ]
    rows = [*contacts(50, date(2026, 6, 1)), *contacts(52, date(2026, 6, 1))]
    report = roll_up(family_cells(families, rows, as_of=AS_OF, config=CONFIG), AREAS)
    counts = report.total.counts
    assert counts.registered_families == 1
    assert counts.registered_under_fives == 1
    assert counts.expecting_families == 2
    assert counts.expecting_seen_families == 1
    assert counts.seen_families == 0  # seen families are families with an under-five
