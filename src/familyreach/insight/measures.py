"""Reach measures: who is registered, seen and engaged, against the estimated need.

Pure functions over plain rows (no ORM), in two stages, so the same arithmetic serves the
dashboards, the exports, the simulator and the tests:

1. `family_cells(families, contacts, as_of=..., config=...)` reduces raw rows (families with
   their children's dates of birth, contacts with their dates and kinds) to counts per small
   area and target-group combination. Each family is counted once, however many children or
   contacts it has. The database does the same reduction in SQL (`selectors.reach_cells_sql`)
   for speed; tests check the two agree.
2. `roll_up(cells, areas, ...)` turns the counts into the report: county, district, IDACI
   decile, area, target group and month, the greatest-need gap and the areas ranked by
   unreached need.

Definitions (kept in step with docs/measures.md):
- A family is *registered* when it has at least one child under five on the reference date.
- *Registered reach* = registered families ÷ estimated under-fives. The denominator is an
  ESTIMATE (geo derives under-fives from the 0–15 count where single years are not loaded).
- *Seen*: a registered family with at least one counted contact in the window (default the 12
  months up to and including the reference date). Counted kinds are a setting.
- *Sustained engagement*: at least N counted contacts in the window (default 3).
- *Greatest-need gap*: the share of estimated under-fives in greatest-need areas who are not in
  a seen family: 1 − (under-fives in seen families ÷ estimated under-fives), floored at 0.
- *Unreached need* of an area: max(0, estimated under-fives − under-fives in seen families),
  weighted by the area's need weight when ranking.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta

from familyreach.geo.population import under_fives_totals

# The families app's target-group flags, in a fixed order: bit i of a cell's mask is group i.
TARGET_GROUPS: tuple[tuple[str, str], ...] = (
    ("lone_parent", "Lone parent"),
    ("young_parent", "Young parent"),
    ("disability_or_send", "Disability or SEND"),
    ("english_additional_language", "English as an additional language"),
    ("workless_household", "Workless household"),
)
TARGET_GROUP_NAMES: tuple[str, ...] = tuple(name for name, _ in TARGET_GROUPS)

DEFAULT_SEEN_CONTACT_KINDS: frozenset[str] = frozenset(
    {"session_attendance", "home_visit", "one_to_one"}
)


@dataclass(frozen=True)
class MeasureConfig:
    """The measures' parameters. `from_settings()` reads the INSIGHT_* settings."""

    window_months: int = 12
    sustained_minimum_contacts: int = 3
    under_five_months: int = 60
    seen_contact_kinds: frozenset[str] = DEFAULT_SEEN_CONTACT_KINDS
    trend_months: int = 24
    # An expected baby (a due date, no date of birth) counts when due from this many days
    # before the reference date (born, not yet recorded) to this many after (a pregnancy).
    expected_days_before: int = 30
    expected_days_after: int = 280

    def __post_init__(self) -> None:
        if self.window_months < 1:
            raise ValueError("window_months must be at least 1")
        if self.sustained_minimum_contacts < 1:
            raise ValueError("sustained_minimum_contacts must be at least 1")
        if self.under_five_months < 1:
            raise ValueError("under_five_months must be at least 1")
        if not self.seen_contact_kinds:
            raise ValueError("seen_contact_kinds must name at least one kind of contact")
        if self.trend_months < 1:
            raise ValueError("trend_months must be at least 1")

    @classmethod
    def from_settings(cls) -> "MeasureConfig":
        from django.conf import settings

        return cls(
            window_months=settings.INSIGHT_WINDOW_MONTHS,
            sustained_minimum_contacts=settings.INSIGHT_SUSTAINED_MINIMUM_CONTACTS,
            under_five_months=settings.INSIGHT_UNDER_FIVE_MONTHS,
            seen_contact_kinds=frozenset(settings.INSIGHT_SEEN_CONTACT_KINDS),
            trend_months=settings.INSIGHT_TREND_MONTHS,
        )

    def window_start(self, as_of: date) -> date:
        """First day counted: contacts on or after this date and on or before `as_of`."""
        return as_of - relativedelta(months=self.window_months) + relativedelta(days=1)

    def earliest_under_five_birth(self, as_of: date) -> date:
        """Children born after this date (and on or before `as_of`) are under five."""
        return as_of - relativedelta(months=self.under_five_months)

    def expected_due_range(self, as_of: date) -> tuple[date, date]:
        """Due dates (inclusive) of the expected babies counted on `as_of`."""
        return (
            as_of - relativedelta(days=self.expected_days_before),
            as_of + relativedelta(days=self.expected_days_after),
        )

    def rolling_start(self, as_of: date) -> date:
        """First day of the earliest calendar month a rolling window of the trend reaches back
        to: the first trend month minus (window − 1) months."""
        first = date.fromisoformat(f"{self.trend_month_keys(as_of)[0]}-01")
        return first - relativedelta(months=self.window_months - 1)

    def trend_month_keys(self, as_of: date) -> list[str]:
        first = date(as_of.year, as_of.month, 1) - relativedelta(months=self.trend_months - 1)
        return [month_key(first + relativedelta(months=i)) for i in range(self.trend_months)]

    def as_dict(self) -> dict[str, object]:
        return {
            "window_months": self.window_months,
            "sustained_minimum_contacts": self.sustained_minimum_contacts,
            "under_five_months": self.under_five_months,
            "seen_contact_kinds": sorted(self.seen_contact_kinds),
            "trend_months": self.trend_months,
            "expected_days_before": self.expected_days_before,
            "expected_days_after": self.expected_days_after,
        }


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_is_partial(key: str, as_of: date) -> bool:
    """True for the reference date's own month unless the date is its last day: that month's
    counts cover only part of it, so a smaller count is not a fall."""
    return key == month_key(as_of) and (as_of + relativedelta(days=1)).month == as_of.month


def target_mask(groups: Iterable[str]) -> int:
    mask = 0
    for group in groups:
        mask |= 1 << TARGET_GROUP_NAMES.index(group)
    return mask


def groups_in_mask(mask: int) -> list[str]:
    return [name for index, name in enumerate(TARGET_GROUP_NAMES) if mask & (1 << index)]


# --- Raw rows in ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FamilyRow:
    """A (live, not archived) family: its current area, children's dates of birth, groups."""

    family_id: int
    area_id: int | None
    child_dates_of_birth: tuple[date, ...]
    target_groups: frozenset[str] = frozenset()
    # Due dates of expected babies (children with a due date and no date of birth).
    expected_due_dates: tuple[date, ...] = ()


@dataclass(frozen=True)
class ContactRow:
    """A contact, with the area recorded on it: where the family lived at the time (None when
    not recorded: then the family's current area is used)."""

    family_id: int
    date: date
    kind: str
    area_id: int | None = None


@dataclass(frozen=True)
class AreaRow:
    """A small area with its need. `under_fives` may be an estimate (then say so)."""

    area_id: int
    code: str
    name: str
    district_id: int
    district_name: str
    idaci_decile: int | None
    under_fives: float
    under_fives_is_estimate: bool
    greatest_need: bool
    need_weight: float = 1.0
    latitude: float | None = None
    longitude: float | None = None
    district_code: str = ""
    # Where the figure comes from ("ONS mid-2019 single year of age" or the estimate's label).
    under_fives_label: str = ""


# --- Cells: the reduction every measure is rolled up from --------------------------------------


@dataclass(slots=True)
class Counts:
    registered_families: int = 0
    registered_under_fives: int = 0
    seen_families: int = 0
    seen_under_fives: int = 0
    sustained_families: int = 0
    sustained_under_fives: int = 0
    # Families expecting a baby (docs/measures.md), and those of them seen in the window.
    expecting_families: int = 0
    expecting_seen_families: int = 0

    def add(self, other: "Counts") -> None:
        # Spelt out rather than looped over fields(): this runs once per cell per grouping on
        # every dashboard load.
        self.registered_families += other.registered_families
        self.registered_under_fives += other.registered_under_fives
        self.seen_families += other.seen_families
        self.seen_under_fives += other.seen_under_fives
        self.sustained_families += other.sustained_families
        self.sustained_under_fives += other.sustained_under_fives
        self.expecting_families += other.expecting_families
        self.expecting_seen_families += other.expecting_seen_families

    def as_list(self) -> list[int]:
        return [
            self.registered_families,
            self.registered_under_fives,
            self.seen_families,
            self.seen_under_fives,
            self.sustained_families,
            self.sustained_under_fives,
            self.expecting_families,
            self.expecting_seen_families,
        ]

    @classmethod
    def from_list(cls, values: Sequence[int]) -> "Counts":
        # Snapshots from before expected babies were counted have six values.
        return cls(*(int(value) for value in values))


@dataclass
class MonthCounts:
    """Families seen in a calendar month (each once) and the counted contacts in it."""

    families_seen: int = 0
    contacts: int = 0

    def add(self, other: "MonthCounts") -> None:
        self.families_seen += other.families_seen
        self.contacts += other.contacts


def month_number(key: str) -> int:
    """ "YYYY-MM" as a count of months (year × 12 + month − 1), for month arithmetic."""
    return int(key[:4]) * 12 + int(key[5:7]) - 1


def month_from_number(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


@dataclass
class Cells:
    """The reduction every figure is rolled up from:

    - `reach`: counts keyed by (area id, target-group mask). Registered (and expecting) families
      count in the area where the family lives now; seen and sustained families in the area
      where it lived at its latest counted contact in the window.
    - `months`: families seen in a calendar month (each once, in the area of its latest
      contact that month) and counted contacts, keyed by (month "YYYY-MM", area id).
    - `month_groups`: families seen in a month keyed by (month, district id, target-group mask).
    - `rolling`: families seen in the `window_months` calendar months up to the end of each
      trend month (each once, in the area of its latest contact in that window), keyed by
      (month, area id).
    """

    as_of: date
    config: MeasureConfig
    reach: dict[tuple[int | None, int], Counts] = field(default_factory=dict)
    months: dict[tuple[str, int | None], MonthCounts] = field(default_factory=dict)
    month_groups: dict[tuple[str, int | None, int], int] = field(default_factory=dict)
    rolling: dict[tuple[str, int | None], int] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "as_of": self.as_of.isoformat(),
            "config": self.config.as_dict(),
            "reach": [
                [area, mask, *counts.as_list()] for (area, mask), counts in self.reach.items()
            ],
            "months": [
                [month, area, value.families_seen, value.contacts]
                for (month, area), value in self.months.items()
            ],
            "month_groups": [
                [month, district, mask, value]
                for (month, district, mask), value in self.month_groups.items()
            ],
            "rolling": [[month, area, value] for (month, area), value in self.rolling.items()],
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> "Cells":
        config_data = dict(data["config"])  # type: ignore[call-overload]
        config = MeasureConfig(
            window_months=int(config_data["window_months"]),
            sustained_minimum_contacts=int(config_data["sustained_minimum_contacts"]),
            under_five_months=int(config_data["under_five_months"]),
            seen_contact_kinds=frozenset(config_data["seen_contact_kinds"]),
            trend_months=int(config_data["trend_months"]),
            expected_days_before=int(config_data.get("expected_days_before", 30)),
            expected_days_after=int(config_data.get("expected_days_after", 280)),
        )
        cells = cls(as_of=date.fromisoformat(str(data["as_of"])), config=config)
        for area, mask, *values in data["reach"]:  # type: ignore[attr-defined]
            cells.reach[(area, int(mask))] = Counts.from_list(values)
        for month, area, families_seen, contacts in data["months"]:  # type: ignore[attr-defined]
            cells.months[(str(month), area)] = MonthCounts(int(families_seen), int(contacts))
        # Snapshots from before trends by group and rolling windows have neither.
        for month, district, mask, value in data.get("month_groups", []):  # type: ignore[attr-defined]
            cells.month_groups[(str(month), district, int(mask))] = int(value)
        for month, area, value in data.get("rolling", []):  # type: ignore[attr-defined]
            cells.rolling[(str(month), area)] = int(value)
        return cells


def family_cells(
    families: Iterable[FamilyRow],
    contacts: Iterable[ContactRow],
    *,
    as_of: date,
    config: MeasureConfig,
    area_districts: Mapping[int, int] | None = None,
) -> Cells:
    """Reduce raw rows to cells: the reference implementation of every count.

    Where a family was seen is the area recorded on its latest counted contact (on the same
    day, a contact with an area before one without, then the larger area id), else the
    family's current area. `area_districts` (area id -> district id) places the trend by
    target group in districts.
    """
    area_districts = area_districts or {}
    window_start = config.window_start(as_of)
    earliest_birth = config.earliest_under_five_birth(as_of)
    due_from, due_to = config.expected_due_range(as_of)
    trend_keys = config.trend_month_keys(as_of)
    trend_months = set(trend_keys)
    rolling_start = config.rolling_start(as_of)

    def latest_key(contact: ContactRow) -> tuple[date, int]:
        return (contact.date, contact.area_id or 0)

    contacts_in_window: dict[int, int] = defaultdict(int)
    latest_in_window: dict[int, tuple[date, int]] = {}
    # (month, family) -> contacts and latest contact's key, from the earliest rolling window on.
    month_contacts: dict[tuple[str, int], int] = defaultdict(int)
    month_latest: dict[tuple[str, int], tuple[date, int]] = {}
    for contact in contacts:
        if contact.kind not in config.seen_contact_kinds or contact.date > as_of:
            continue
        key = latest_key(contact)
        if contact.date >= window_start:
            contacts_in_window[contact.family_id] += 1
            latest_in_window[contact.family_id] = max(
                key, latest_in_window.get(contact.family_id, key)
            )
        if contact.date >= rolling_start:
            month_family = (month_key(contact.date), contact.family_id)
            month_contacts[month_family] += 1
            month_latest[month_family] = max(key, month_latest.get(month_family, key))

    cells = Cells(as_of=as_of, config=config)
    families_by_id: dict[int, FamilyRow] = {}
    for family in families:
        families_by_id[family.family_id] = family
        under_fives = sum(
            1 for born in family.child_dates_of_birth if earliest_birth < born <= as_of
        )
        expected = sum(1 for due in family.expected_due_dates if due_from <= due <= due_to)
        if not under_fives and not expected:
            continue
        mask = target_mask(family.target_groups)
        counted = contacts_in_window.get(family.family_id, 0)
        counts = cells.reach.setdefault((family.area_id, mask), Counts())
        if under_fives:
            counts.registered_families += 1
            counts.registered_under_fives += under_fives
        if expected:
            counts.expecting_families += 1
        if counted < 1:
            continue
        seen_area = latest_in_window[family.family_id][1] or family.area_id
        seen = cells.reach.setdefault((seen_area, mask), Counts())
        if under_fives:
            seen.seen_families += 1
            seen.seen_under_fives += under_fives
            if counted >= config.sustained_minimum_contacts:
                seen.sustained_families += 1
                seen.sustained_under_fives += under_fives
        if expected:
            seen.expecting_seen_families += 1

    # Months, and each family's months for the rolling windows.
    family_months: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    for (month, family_id), number in month_contacts.items():
        owner = families_by_id.get(family_id)
        if owner is None:
            continue  # a contact for an archived or unknown family
        area = month_latest[(month, family_id)][1] or owner.area_id
        family_months[family_id].append((month_number(month), area))
        if month not in trend_months:
            continue
        value = cells.months.setdefault((month, area), MonthCounts())
        value.families_seen += 1
        value.contacts += number
        group_key = (
            month,
            area_districts.get(area) if area is not None else None,
            target_mask(owner.target_groups),
        )
        cells.month_groups[group_key] = cells.month_groups.get(group_key, 0) + 1

    # Rolling: a family is in the window ending at month E when it has a contact month in the
    # W months up to E; it counts in the area of the latest such month.
    trend_numbers = [month_number(month) for month in trend_keys]
    for months_of_family in family_months.values():
        months_of_family.sort(key=lambda item: item[0])
        for end in trend_numbers:
            inside = [
                area
                for number, area in months_of_family
                if end - config.window_months < number <= end
            ]
            if not inside:
                continue
            key_rolling = (month_from_number(end), inside[-1])
            cells.rolling[key_rolling] = cells.rolling.get(key_rolling, 0) + 1
    return cells


# --- Figures: the roll-up ----------------------------------------------------------------------


def _ratio(numerator: float, denominator: float | None) -> float | None:
    if not denominator:
        return None
    return numerator / denominator


@dataclass
class Figures:
    """The measures for one group of families (the county, a district, a decile, an area...)."""

    key: str
    label: str
    estimated_under_fives: float | None
    under_fives_is_estimate: bool
    counts: Counts = field(default_factory=Counts)
    areas: int = 0
    # Counts (names in disclosure.SUPPRESSED_COUNTS) hidden by small-number suppression, and so every
    # figure built from them (see `disclosure`).
    hidden: frozenset[str] = frozenset()

    @property
    def registered_reach(self) -> float | None:
        return _ratio(self.counts.registered_families, self.estimated_under_fives)

    @property
    def seen_reach(self) -> float | None:
        return _ratio(self.counts.seen_families, self.estimated_under_fives)

    @property
    def sustained_reach(self) -> float | None:
        return _ratio(self.counts.sustained_families, self.estimated_under_fives)

    @property
    def seen_under_fives_share(self) -> float | None:
        share = _ratio(self.counts.seen_under_fives, self.estimated_under_fives)
        return None if share is None else min(1.0, share)

    @property
    def not_seen_share(self) -> float | None:
        share = self.seen_under_fives_share
        return None if share is None else 1.0 - share

    @property
    def seen_share_of_registered(self) -> float | None:
        return _ratio(self.counts.seen_families, self.counts.registered_families)

    @property
    def sustained_share_of_registered(self) -> float | None:
        return _ratio(self.counts.sustained_families, self.counts.registered_families)

    @property
    def unreached_under_fives(self) -> float | None:
        if self.estimated_under_fives is None:
            return None
        return max(0.0, self.estimated_under_fives - self.counts.seen_under_fives)


@dataclass
class AreaFigures(Figures):
    area: AreaRow | None = None
    unreached_need: float = 0.0


@dataclass
class MonthFigures:
    month: str
    families_seen: int
    contacts: int
    hidden: frozenset[str] = frozenset()
    # Families seen in the `window_months` calendar months up to the end of this month.
    seen_in_window: int = 0
    # Counted only up to the reference date (`month_is_partial`): shown as "so far".
    partial: bool = False


@dataclass
class GroupMonth:
    """Families in a target group seen in a month (each once)."""

    month: str
    families_seen: int
    hidden: bool = False


@dataclass
class Report:
    as_of: date
    config: MeasureConfig
    scope: str
    total: Figures
    districts: list[Figures]
    deciles: list[Figures]
    areas: list[AreaFigures]
    target_groups: list[Figures]
    greatest_need: Figures
    ranking: list[AreaFigures]
    months: list[MonthFigures]
    families_without_area: int
    any_estimate: bool
    # Where the under-fives in scope come from, as one sentence for a "Source:" line.
    under_fives_source: str = ""
    # Families seen each month by target group (county and district only: None for an area).
    month_groups: dict[str, list[GroupMonth]] | None = None
    suppression_threshold: int = 0
    families_without_area_hidden: bool = False

    @property
    def published_ranking(self) -> list[AreaFigures]:
        """The ranking as pages show it: an area whose unreached need is hidden is placed by
        its estimated under-fives × need weight (public figures), so its position does not
        give its hidden count away."""

        def key(figures: AreaFigures) -> tuple[float, str]:
            if "seen_under_fives" in figures.hidden and figures.area is not None:
                return (
                    -(figures.estimated_under_fives or 0.0) * figures.area.need_weight,
                    figures.key,
                )
            return (-figures.unreached_need, figures.key)

        return sorted(self.ranking, key=key)


def roll_up(
    cells: Cells,
    areas: Sequence[AreaRow],
    *,
    district_id: int | None = None,
    area_id: int | None = None,
    scope: str = "County",
) -> Report:
    """Every measure for the areas in scope (the county, one district, or one area).

    Families with no known area count only in `families_without_area` at county level: they
    cannot be set against any area's estimated under-fives.

    Nothing is hidden here: published figures come from `disclosure.roll_up_published`, which
    marks what small-number suppression hides.
    """
    in_scope = [
        area
        for area in areas
        if (district_id is None or area.district_id == district_id)
        and (area_id is None or area.area_id == area_id)
    ]
    by_id = {area.area_id: area for area in in_scope}
    in_scope_under_fives = under_fives_totals(in_scope)
    any_estimate = in_scope_under_fives.any_estimate

    def new(key: str, label: str, group: Iterable[AreaRow]) -> Figures:
        members = list(group)
        totals = under_fives_totals(members)
        return Figures(
            key=key,
            label=label,
            estimated_under_fives=totals.total,
            under_fives_is_estimate=totals.any_estimate,
            areas=len(members),
        )

    total = new("total", scope, in_scope)
    area_figures: dict[int, AreaFigures] = {
        area.area_id: AreaFigures(
            key=area.code,
            label=area.name,
            estimated_under_fives=area.under_fives,
            under_fives_is_estimate=area.under_fives_is_estimate,
            areas=1,
            area=area,
        )
        for area in in_scope
    }
    district_members: dict[int, list[AreaRow]] = defaultdict(list)
    decile_members: dict[int | None, list[AreaRow]] = defaultdict(list)
    for area in in_scope:
        district_members[area.district_id].append(area)
        decile_members[area.idaci_decile].append(area)
    districts = {
        district: new(members[0].district_code or str(district), members[0].district_name, members)
        for district, members in district_members.items()
    }
    deciles = {
        decile: new(
            str(decile) if decile is not None else "unknown",
            f"IDACI decile {decile}" if decile is not None else "IDACI decile unknown",
            members,
        )
        for decile, members in decile_members.items()
    }
    greatest_need = new(
        "greatest_need", "Greatest-need areas", [area for area in in_scope if area.greatest_need]
    )
    # Target groups have no estimated population: figures are counts and shares of registered.
    groups = {
        name: Figures(
            key=name, label=label, estimated_under_fives=None, under_fives_is_estimate=False
        )
        for name, label in TARGET_GROUPS
    }

    # Cells are summed into areas and target-group masks first; districts, deciles and the
    # total are then sums of areas (a few hundred additions instead of thousands).
    families_without_area = 0
    by_mask: dict[int, Counts] = {}
    for (cell_area, mask), counts in cells.reach.items():
        if cell_area is None:
            if district_id is None and area_id is None:
                families_without_area += counts.registered_families
            continue
        figures_for_area = area_figures.get(cell_area)
        if figures_for_area is None:
            continue
        figures_for_area.counts.add(counts)
        if mask not in by_mask:
            by_mask[mask] = Counts()
        by_mask[mask].add(counts)
    for figures_for_area in area_figures.values():
        row = figures_for_area.area
        assert row is not None
        counts = figures_for_area.counts
        total.counts.add(counts)
        districts[row.district_id].counts.add(counts)
        deciles[row.idaci_decile].counts.add(counts)
        if row.greatest_need:
            greatest_need.counts.add(counts)
    for mask, counts in by_mask.items():
        for name in groups_in_mask(mask):
            groups[name].counts.add(counts)

    for figures in area_figures.values():
        assert figures.area is not None
        figures.unreached_need = (figures.unreached_under_fives or 0.0) * figures.area.need_weight
    ranking = sorted(
        (figures for figures in area_figures.values() if figures.unreached_need > 0),
        key=lambda figures: (-figures.unreached_need, figures.key),
    )

    def counts_here(cell_area: int | None) -> bool:
        at_county = district_id is None and area_id is None
        return cell_area in by_id or (cell_area is None and at_county)

    month_totals = {month: MonthCounts() for month in cells.config.trend_month_keys(cells.as_of)}
    for (month, cell_area), value in cells.months.items():
        if month in month_totals and counts_here(cell_area):
            month_totals[month].add(value)
    rolling_totals = dict.fromkeys(month_totals, 0)
    for (month, cell_area), number in cells.rolling.items():
        if month in rolling_totals and counts_here(cell_area):
            rolling_totals[month] += number
    month_groups: dict[str, list[GroupMonth]] | None = None
    if area_id is None:
        # By district at most: an area's months by target group would be mostly small numbers.
        group_totals = {name: dict.fromkeys(month_totals, 0) for name in TARGET_GROUP_NAMES}
        for (month, cell_district, mask), number in cells.month_groups.items():
            if month not in month_totals:
                continue
            if district_id is not None and cell_district != district_id:
                continue
            for name in groups_in_mask(mask):
                group_totals[name][month] += number
        month_groups = {
            name: [GroupMonth(month=month, families_seen=value) for month, value in by.items()]
            for name, by in group_totals.items()
        }

    return Report(
        as_of=cells.as_of,
        config=cells.config,
        scope=scope,
        total=total,
        districts=sorted(districts.values(), key=lambda figures: figures.label),
        deciles=sorted(
            deciles.values(), key=lambda figures: (figures.key == "unknown", figures.key.zfill(2))
        ),
        areas=sorted(area_figures.values(), key=lambda figures: figures.key),
        target_groups=list(groups.values()),
        greatest_need=greatest_need,
        ranking=ranking,
        months=[
            MonthFigures(
                month=month,
                families_seen=value.families_seen,
                contacts=value.contacts,
                seen_in_window=rolling_totals[month],
                partial=month_is_partial(month, cells.as_of),
            )
            for month, value in month_totals.items()
        ],
        month_groups=month_groups,
        families_without_area=families_without_area,
        any_estimate=any_estimate,
        under_fives_source=in_scope_under_fives.source,
    )


def unreached_greatest_need(report: Report) -> dict[int, float]:
    """Unreached under-fives in each greatest-need area (area id -> count): the demand that
    "plan outreach here" seeds a planning scenario with."""
    return {
        figures.area.area_id: figures.unreached_under_fives or 0.0
        for figures in report.areas
        if figures.area is not None and figures.area.greatest_need
    }
