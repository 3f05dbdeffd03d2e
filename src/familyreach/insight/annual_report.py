"""The public annual report: the headline measures for the last complete financial year (April
to March) and the year before, for the county and each district, for councillors and the public.

Nothing is computed here that insight does not already compute and show to staff:

- reach (registered, seen, sustained, and the under-fives reached in greatest-need areas) is the
  insight report (`measures.roll_up` through `disclosure.roll_up_published`) of the reach
  snapshot as at 31 March, so a year's figures are the dashboard's for that date, over its
  window (12 months by default: the financial year itself);
- money is the money page's (`money.money_by_district` over `loop.spend_by_district`);
- improved outcomes are the plans closed in the year that ended better than they started, as
  outcomes counts them for commissioning, asked for through families' `closed_case_outcomes`
  signal (insight and outcomes sit side by side and do not import each other).

Small numbers are hidden exactly as on the staff pages: reach by `disclosure` over the whole
county; the improved and not-improved counts of closed plans by `disclosure.protect` over the
county and its districts, so no district's figure can be worked out from the county's.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings

from familyreach.geo.models import District
from familyreach.insight import tables
from familyreach.insight.disclosure import COUNTY, MARK, NO_AREA, Node, protect, roll_up_published
from familyreach.insight.measures import AreaRow, Figures, Report
from familyreach.insight.models import ReachSnapshot
from familyreach.insight.money import MoneyFigures, money_by_district
from familyreach.insight.selectors import area_rows, latest_snapshot, snapshot_cells_and_hidden

OPEN_GOVERNMENT_LICENCE = "Open Government Licence v3.0"
OPEN_GOVERNMENT_LICENCE_URL = (
    "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
)


@dataclass(frozen=True)
class FinancialYear:
    """1 April to 31 March."""

    start: date

    @property
    def end(self) -> date:
        return date(self.start.year + 1, 3, 31)

    @property
    def label(self) -> str:
        return f"April {self.start.year} to March {self.start.year + 1}"

    @property
    def short_label(self) -> str:
        return f"{self.start.year} to {self.start.year + 1}"


def financial_years(*, today: date) -> list[FinancialYear]:
    """The last complete financial year and the one before it, the later first. A year is
    complete once its 31 March has passed."""
    latest_start = today.year - 1 if today >= date(today.year, 4, 1) else today.year - 2
    return [FinancialYear(date(latest_start, 4, 1)), FinancialYear(date(latest_start - 1, 4, 1))]


@dataclass(frozen=True)
class Value:
    value: float | None  # None when hidden or when there is nothing to divide by
    text: str  # as the page shows it: "62.1 %", "1,234", "£1,234", "[c]" or "–"


NOT_SHOWN = Value(None, "–")


@dataclass(frozen=True)
class ScopeInputs:
    """What one scope (the county or a district) in one year is measured from."""

    report: Report
    money: MoneyFigures | None
    improved: Value


@dataclass(frozen=True)
class Measure:
    key: str
    title: str
    definition: str
    compute: Callable[[ScopeInputs], Value]
    # True when the figure is built on estimated under-fives (so labelled an estimate).
    estimate: bool = False
    unit: str = "share"  # "share" (shown as a percentage), "count" or "pounds"

    @property
    def csv_heading(self) -> str:
        return self.title + {"share": " (%)", "pounds": " (£)", "count": ""}[self.unit]

    def csv_value(self, value: Value) -> str | int | float:
        """Open data wants numbers a spreadsheet reads: 62.1 for 62.1 %, 1234 for £1,234;
        "[c]" when hidden, empty when there is nothing to show."""
        if value.value is None:
            return MARK if value.text == MARK else ""
        if self.unit == "share":
            return round(value.value * 100, 1)
        return round(value.value)


def _column(figures: Figures, key: str) -> Value:
    """A column of insight's tables, as the staff tables show it ("[c]" when hidden)."""
    column = next(column for column in tables.COLUMNS if column.key == key)
    if column.hidden_for(figures):
        return Value(None, MARK)
    return Value(column.value(figures), tables.display(column, figures))


def _greatest_need_reach(inputs: ScopeInputs) -> Value:
    figures = inputs.report.greatest_need
    if not figures.areas:
        return NOT_SHOWN
    # Built on the same count as the staff pages' "Under-fives not seen" (its complement).
    if tables.SEEN_UNDER_FIVES in figures.hidden:
        return Value(None, MARK)
    share = figures.seen_under_fives_share
    return Value(share, tables.percent(share))


def _frontline_share(inputs: ScopeInputs) -> Value:
    if inputs.money is None or inputs.money.frontline_share is None:
        return NOT_SHOWN
    return Value(inputs.money.frontline_share, tables.percent(inputs.money.frontline_share))


def _cost_per_family_seen(inputs: ScopeInputs) -> Value:
    money = inputs.money
    if money is None:
        return NOT_SHOWN
    if money.hidden:
        return Value(None, MARK)
    cost = money.cost_per_family_seen
    return Value(cost, "–" if cost is None else f"£{cost:,.0f}")


MEASURES: tuple[Measure, ...] = (
    Measure(
        "greatest_need_reach",
        "Under-fives in greatest-need areas reached",
        "Under-fives in families seen in the year ÷ the estimated under-fives living in the "
        "areas of greatest need.",
        _greatest_need_reach,
        estimate=True,
    ),
    Measure(
        "registered_families",
        "Families registered",
        "Families with a child under five on 31 March.",
        lambda inputs: _column(inputs.report.total, "registered_families"),
        unit="count",
    ),
    Measure(
        "registered_reach",
        "Registered reach",
        "Families registered ÷ estimated under-fives.",
        lambda inputs: _column(inputs.report.total, "registered_reach"),
        estimate=True,
    ),
    Measure(
        "seen_families",
        "Families seen",
        "Registered families with at least one session, home visit or one-to-one in the year.",
        lambda inputs: _column(inputs.report.total, "seen_families"),
        unit="count",
    ),
    Measure(
        "seen_reach",
        "Seen reach",
        "Families seen ÷ estimated under-fives.",
        lambda inputs: _column(inputs.report.total, "seen_reach"),
        estimate=True,
    ),
    Measure(
        "sustained_families",
        "Families with sustained engagement",
        "Registered families seen at least the sustained number of times in the year "
        "(3 unless the council sets another).",
        lambda inputs: _column(inputs.report.total, "sustained_families"),
        unit="count",
    ),
    Measure(
        "sustained_reach",
        "Sustained reach",
        "Families with sustained engagement ÷ estimated under-fives.",
        lambda inputs: _column(inputs.report.total, "sustained_reach"),
        estimate=True,
    ),
    Measure(
        "frontline_share",
        "Share of spend reaching families",
        "Frontline staff ÷ (buildings + frontline staff), £ a year, for the adopted network.",
        _frontline_share,
        estimate=True,
    ),
    Measure(
        "cost_per_family_seen",
        "Cost per family seen",
        "(Buildings + frontline staff, £ a year) ÷ families seen in the year.",
        _cost_per_family_seen,
        estimate=True,
        unit="pounds",
    ),
    Measure(
        "improved_outcomes",
        "Closed cases with improved outcomes",
        "Family plans closed in the year whose scores at closure are higher than at the start "
        "÷ plans closed in the year with both.",
        lambda inputs: inputs.improved,
    ),
)
BY_KEY: dict[str, Measure] = {measure.key: measure for measure in MEASURES}


@dataclass(frozen=True)
class ScopeRow:
    """The county or one district, with every measure."""

    code: str
    name: str
    is_county: bool
    values: dict[str, Value]


@dataclass
class YearReport:
    year: FinancialYear
    snapshot: ReachSnapshot | None
    rows: list[ScopeRow] = field(default_factory=list)
    window_months: int = 12
    any_estimate: bool = False

    @property
    def available(self) -> bool:
        return self.snapshot is not None

    @property
    def includes_simulated(self) -> bool:
        return bool(self.snapshot and self.snapshot.includes_simulated)

    @property
    def county(self) -> ScopeRow | None:
        return self.rows[0] if self.rows else None

    def row(self, code: str) -> ScopeRow | None:
        return next((row for row in self.rows if row.code == code), None)


@dataclass
class AnnualReport:
    years: list[YearReport]  # the later year first
    districts: list[tuple[str, str]]  # (code, name) in the order the tables show them
    spend_source: str | None  # the adopted option's name, or None when nothing is adopted
    suppression_threshold: int

    @property
    def any_available(self) -> bool:
        return any(year.available for year in self.years)

    @property
    def any_estimate(self) -> bool:
        return any(year.any_estimate for year in self.years)

    @property
    def includes_simulated(self) -> bool:
        return any(year.includes_simulated for year in self.years)


def improved_outcomes_published(
    counts: dict[int | None, tuple[int, int]], district_ids: list[int], *, threshold: int
) -> tuple[Value, dict[int, Value]]:
    """The share of closed plans that improved, for the county and each district, with small
    numbers hidden as `disclosure` hides them: the improved and the not-improved counts are each
    protected over the county and its districts (and plans of families with no district), and a
    share is hidden when either of its counts is."""
    nodes: dict[int | None, Node] = {
        district: ("district", district) for district in [*district_ids, *counts]
    }
    nodes[None] = NO_AREA
    partitions = [(COUNTY, sorted(set(nodes.values()), key=repr))]
    hidden: set[Node] = set()
    for position in (0, 1):
        values: dict[Node, int] = {}
        for district, pair in counts.items():
            improved, closed = pair[1], pair[0]
            values[nodes[district]] = improved if position == 0 else closed - improved
        values[COUNTY] = sum(values.values())
        hidden |= protect(values, partitions, threshold=threshold)

    def value(node: Node, closed: int, improved: int) -> Value:
        if not closed:
            return NOT_SHOWN
        if node in hidden:
            return Value(None, MARK)
        share = improved / closed
        return Value(share, tables.percent(share))

    county_closed = sum(closed for closed, _ in counts.values())
    county_improved = sum(improved for _, improved in counts.values())
    return (
        value(COUNTY, county_closed, county_improved),
        {
            district: value(nodes[district], *counts.get(district, (0, 0)))
            for district in district_ids
        },
    )


def closed_case_outcomes(*, start: date, end: date) -> dict[int | None, tuple[int, int]]:
    """Closed plans by district from whichever app answers families' signal (outcomes)."""
    from familyreach.families.signals import closed_case_outcomes as signal

    counts: dict[int | None, tuple[int, int]] = {}
    for _receiver, answer in signal.send(sender=None, start=start, end=end):
        answered: dict[int | None, tuple[int, int]] = answer or {}  # type: ignore[assignment]
        for district, (closed, improved) in answered.items():
            before = counts.get(district, (0, 0))
            counts[district] = (before[0] + closed, before[1] + improved)
    return counts


def _year_report(
    year: FinancialYear,
    *,
    areas: list[AreaRow],
    districts: list[District],
    spend: Any,
    threshold: int,
) -> YearReport:
    snapshot = latest_snapshot(as_of=year.end)
    result = YearReport(year=year, snapshot=snapshot)
    if snapshot is None:
        return result
    cells, hidden = snapshot_cells_and_hidden(snapshot, areas, threshold=threshold)
    options: dict[str, Any] = {"threshold": threshold, "hidden": hidden}
    county = roll_up_published(cells, areas, scope="County", **options)
    result.window_months = county.config.window_months
    result.any_estimate = county.any_estimate
    district_money: dict[str, MoneyFigures] = {}
    county_money: MoneyFigures | None = None
    if spend is not None:
        by_district, county_money = money_by_district(spend.districts, county)
        district_money = {item.label: item for item in by_district}
    improved_county, improved_districts = improved_outcomes_published(
        closed_case_outcomes(start=year.start, end=year.end),
        [district.pk for district in districts],
        threshold=threshold,
    )

    def row(code: str, name: str, inputs: ScopeInputs, *, is_county: bool) -> ScopeRow:
        return ScopeRow(
            code=code,
            name=name,
            is_county=is_county,
            values={measure.key: measure.compute(inputs) for measure in MEASURES},
        )

    result.rows.append(
        row(
            "county",
            "Whole county",
            ScopeInputs(report=county, money=county_money, improved=improved_county),
            is_county=True,
        )
    )
    for district in districts:
        report = roll_up_published(
            cells, areas, district_id=district.pk, scope=district.name, **options
        )
        inputs = ScopeInputs(
            report=report,
            money=district_money.get(district.name),
            improved=improved_districts[district.pk],
        )
        result.rows.append(row(district.code, district.name, inputs, is_county=False))
    return result


def annual_report(*, today: date) -> AnnualReport:
    """The report for the last complete financial year and the one before, from the reach
    snapshots as at each 31 March (a year with none is shown as not yet worked out)."""
    from familyreach.insight import loop

    threshold = settings.INSIGHT_SUPPRESSION_THRESHOLD
    areas = area_rows()
    districts = list(District.objects.order_by("name"))
    spend = loop.spend_by_district()
    years = [
        _year_report(year, areas=areas, districts=districts, spend=spend, threshold=threshold)
        for year in financial_years(today=today)
    ]
    return AnnualReport(
        years=years,
        districts=[(district.code, district.name) for district in districts],
        spend_source=spend.scenario.name if spend is not None else None,
        suppression_threshold=threshold,
    )


CSV_HEADINGS: tuple[str, ...] = (
    "Financial year",
    "Year start",
    "Year end",
    "Area code",
    "Area",
    *(measure.csv_heading for measure in MEASURES),
)


def csv_rows(report: AnnualReport) -> list[list[str | int | float]]:
    """The page's table as CSV rows (no heading): one row per year and area, each measure as a
    plain number (`Measure.csv_value`: "[c]" hidden, empty when there is nothing to show)."""
    rows: list[list[str | int | float]] = []
    for year in report.years:
        for scope in year.rows:
            rows.append(
                [
                    year.year.short_label,
                    year.year.start.isoformat(),
                    year.year.end.isoformat(),
                    "" if scope.is_county else scope.code,
                    scope.name,
                    *(measure.csv_value(scope.values[measure.key]) for measure in MEASURES),
                ]
            )
    return rows
