"""Reads for insight: who may see reach, the areas with their need, the reduction of families and
contacts to counts (in SQL), and the report a dashboard shows.

The SQL here computes exactly what `measures.family_cells` computes from raw rows; the tests run
both on the same records and compare. Dashboards read a stored snapshot, so a page does a fixed,
small number of queries however many families and contacts there are.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.utils import timezone

from familyreach.accounts.roles import Role
from familyreach.geo import need
from familyreach.geo.models import Area, District
from familyreach.geo.population import under_fives_of
from familyreach.insight.disclosure import Hidden, hidden_cells, roll_up_published
from familyreach.insight.measures import (
    TARGET_GROUP_NAMES,
    AreaRow,
    Cells,
    ContactRow,
    Counts,
    FamilyRow,
    MeasureConfig,
    MonthCounts,
    Report,
    month_from_number,
    month_key,
    month_number,
    roll_up,
    unreached_greatest_need,
)
from familyreach.insight.models import ReachRefresh, ReachSnapshot

INSIGHT_ROLES = (Role.MANAGER, Role.PLANNER)


def insight_check_access(*, user: Any) -> None:
    """Managers and planners (and superusers) see reach; everyone else gets 403."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("Sign in to see reach.")
    if user.is_superuser or user.has_role(*INSIGHT_ROLES):
        return
    raise PermissionDenied("Only service managers and planners can see reach figures.")


def today_in_london() -> date:
    return timezone.localdate()


# --- Areas and need ----------------------------------------------------------------------------


def greatest_need_and_weights(areas: Sequence[Area]) -> tuple[list[bool], list[float]]:
    """Greatest-need flags (geo's rule, `FAMILYREACH_GREATEST_NEED`: 1 query) and each area's
    deprivation weight (geo's `FAMILYREACH_NEED_WEIGHTS`, a multiplier of under-fives)."""
    greatest = need.greatest_need_area_ids()
    return (
        [area.pk in greatest for area in areas],
        [need.deprivation_weight(area) for area in areas],
    )


def area_rows() -> list[AreaRow]:
    """Every area with its district, IDACI decile, (estimated) under-fives and need: 2 queries."""
    areas = list(Area.objects.select_related("district").order_by("code"))
    greatest, weights = greatest_need_and_weights(areas)
    return [
        AreaRow(
            area_id=area.pk,
            code=area.code,
            name=area.name,
            district_id=area.district_id,
            district_name=area.district.name,
            idaci_decile=area.idaci_decile,
            under_fives=under_fives_of(area),
            under_fives_is_estimate=area.under_fives_is_estimate,
            under_fives_label=area.under_fives_label,
            greatest_need=flag,
            need_weight=weight,
            latitude=area.latitude,
            longitude=area.longitude,
            district_code=area.district.code,
        )
        for area, flag, weight in zip(areas, greatest, weights, strict=True)
    ]


# --- The reduction in SQL ----------------------------------------------------------------------


def _tables() -> tuple[str, str, str]:
    from familyreach.delivery.models import Contact
    from familyreach.families.models import Child, Family

    return Family._meta.db_table, Child._meta.db_table, Contact._meta.db_table


def _month_expression(column: str) -> str:
    """The calendar month of a date column, cheap to group by: on PostgreSQL the first day of
    the month as a date (to_char and EXTRACT are several times slower over millions of rows);
    on SQLite year × 12 + month − 1 as an integer."""
    if connection.vendor == "postgresql":
        return f"date_trunc('month', {column}::timestamp)::date"
    return (
        f"(CAST(strftime('%%Y', {column}) AS INTEGER) * 12"
        f" + CAST(strftime('%%m', {column}) AS INTEGER) - 1)"
    )


def _month_key_from_value(value: object) -> str:
    if isinstance(value, date):
        return month_key(value)
    return month_from_number(int(str(value)))


def _month_parameter(first_day: date) -> date | int:
    """A month as `_month_expression` gives it, to compare with: a date or a month number."""
    if connection.vendor == "postgresql":
        return first_day
    return first_day.year * 12 + first_day.month - 1


def _plus_months(column: str, months: int) -> str:
    """A month value (as `_month_expression` makes it) plus a number of months."""
    if connection.vendor == "postgresql":
        return f"({column} + interval '{int(months)} months')::date"
    return f"({column} + {int(months)})"


# Where a contact places the family: the latest counted contact (by date, then by recorded
# area), as one sortable integer, so MAX() finds it in the same pass as COUNT(): days × 2³² +
# the contact's area id (0 when not recorded; the family's current area is used then).
AREA_SHIFT = 4294967296


def _latest_key(alias: str) -> str:
    if connection.vendor == "postgresql":
        days = f"({alias}.date - DATE '1970-01-01')::bigint"
    else:
        days = f"CAST(julianday({alias}.date) AS INTEGER)"
    return f"({days} * {AREA_SHIFT} + COALESCE({alias}.area_id, 0))"


def _area_from_key(key: str, family_area: str) -> str:
    # "%%": the query goes through parameter formatting, where a lone % is special.
    return f"COALESCE(NULLIF({key} %% {AREA_SHIFT}, 0), {family_area})"


def area_districts() -> dict[int, int]:
    return dict(Area.objects.values_list("id", "district_id"))


def reach_cells_sql(*, as_of: date, config: MeasureConfig) -> Cells:
    """`measures.family_cells` done by the database: two grouped queries, whatever the volume.

    Indexes that make it fast on PostgreSQL: contacts by (kind, date) and children by family —
    see docs/benchmarks.md.
    """
    family_table, child_table, contact_table = _tables()
    kinds = sorted(config.seen_contact_kinds)
    kind_placeholders = ", ".join(["%s"] * len(kinds))
    flags = ", ".join(f"f.{name}" for name in TARGET_GROUP_NAMES)
    seen_area = _area_from_key("counted.latest", "f.area_id")
    reach_sql = f"""
        WITH children AS (
            SELECT family_id,
                SUM(CASE WHEN date_of_birth > %s AND date_of_birth <= %s THEN 1 ELSE 0 END)
                    AS under_fives,
                SUM(CASE WHEN date_of_birth IS NULL THEN 1 ELSE 0 END) AS expected
            FROM {child_table}
            WHERE (date_of_birth > %s AND date_of_birth <= %s)
               OR (date_of_birth IS NULL AND expected_due_date >= %s AND expected_due_date <= %s)
            GROUP BY family_id
        ), counted AS (
            SELECT c.family_id, COUNT(*) AS contacts, MAX({_latest_key("c")}) AS latest
            FROM {contact_table} c
            WHERE c.date >= %s AND c.date <= %s AND c.kind IN ({kind_placeholders})
            GROUP BY c.family_id
        )
        SELECT f.area_id,
            CASE WHEN counted.latest IS NULL THEN NULL ELSE {seen_area} END AS seen_area,
            {flags},
            SUM(CASE WHEN children.under_fives > 0 THEN 1 ELSE 0 END),
            SUM(children.under_fives),
            SUM(CASE WHEN children.under_fives > 0 AND counted.contacts >= 1 THEN 1 ELSE 0 END),
            SUM(CASE WHEN counted.contacts >= 1 THEN children.under_fives ELSE 0 END),
            SUM(CASE WHEN children.under_fives > 0 AND counted.contacts >= %s THEN 1 ELSE 0 END),
            SUM(CASE WHEN counted.contacts >= %s THEN children.under_fives ELSE 0 END),
            SUM(CASE WHEN children.expected > 0 THEN 1 ELSE 0 END),
            SUM(CASE WHEN children.expected > 0 AND counted.contacts >= 1 THEN 1 ELSE 0 END)
        FROM {family_table} f
        JOIN children ON children.family_id = f.id
        LEFT JOIN counted ON counted.family_id = f.id
        WHERE f.archived_at IS NULL
        GROUP BY f.area_id, 2, {flags}
    """  # noqa: S608 - table names come from our models; values are parameters
    trend_keys = config.trend_month_keys(as_of)
    trend_start = date.fromisoformat(f"{trend_keys[0]}-01")
    month = _month_expression("c.date")
    placed_area = _area_from_key("per_family.latest", "f.area_id")
    window_end = _plus_months("placed.month", config.window_months)
    # Contacts are first counted per family and month (no join); the much smaller result is
    # joined to the families for the area (the contact's, else the family's) and target groups.
    # Each family-month row then gives: the month's figures; +1 to the rolling windows from
    # its month; −1 from the next month with a contact or the end of its window, whichever is
    # first (so summing the changes month by month counts each family once per window, in the
    # area of its latest month).
    months_sql = f"""
        WITH per_family AS (
            SELECT {month} AS month, c.family_id, COUNT(*) AS contacts,
                MAX({_latest_key("c")}) AS latest
            FROM {contact_table} c
            WHERE c.date >= %s AND c.date <= %s AND c.kind IN ({kind_placeholders})
            GROUP BY {month}, c.family_id
        ), placed AS (
            SELECT per_family.month, per_family.contacts, {placed_area} AS area_id, {flags},
                LEAD(per_family.month) OVER (
                    PARTITION BY per_family.family_id ORDER BY per_family.month
                ) AS next_month
            FROM per_family
            JOIN {family_table} f ON f.id = per_family.family_id
            WHERE f.archived_at IS NULL
        )
        SELECT 0, placed.month, placed.area_id, {flags.replace("f.", "placed.")},
            COUNT(*), SUM(placed.contacts)
        FROM placed WHERE placed.month >= %s
        GROUP BY placed.month, placed.area_id, {flags.replace("f.", "placed.")}
        UNION ALL
        SELECT 1, placed.month, placed.area_id, {", ".join(["NULL"] * len(TARGET_GROUP_NAMES))},
            COUNT(*), 0
        FROM placed GROUP BY placed.month, placed.area_id
        UNION ALL
        SELECT 2, CASE WHEN placed.next_month IS NOT NULL AND placed.next_month < {window_end}
                THEN placed.next_month ELSE {window_end} END,
            placed.area_id, {", ".join(["NULL"] * len(TARGET_GROUP_NAMES))}, COUNT(*), 0
        FROM placed
        GROUP BY 2, placed.area_id
    """  # noqa: S608
    cells = Cells(as_of=as_of, config=config)
    minimum = config.sustained_minimum_contacts
    earliest_birth = config.earliest_under_five_birth(as_of)
    due_from, due_to = config.expected_due_range(as_of)
    groups = len(TARGET_GROUP_NAMES)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            # Enough memory for the hash aggregates over a county's contacts not to spill to
            # disk (setting INSIGHT_REFRESH_WORK_MEM); local: it ends with the refresh's
            # transaction.
            cursor.execute(
                "SELECT set_config('work_mem', %s, true)", [settings.INSIGHT_REFRESH_WORK_MEM]
            )
        cursor.execute(
            reach_sql,
            [
                earliest_birth,
                as_of,
                earliest_birth,
                as_of,
                due_from,
                due_to,
                config.window_start(as_of),
                as_of,
                *kinds,
                minimum,
                minimum,
            ],
        )
        for row in cursor.fetchall():
            area, seen_at = row[0], row[1]
            mask = sum(1 << index for index, flag in enumerate(row[2 : 2 + groups]) if flag)
            values = [int(value or 0) for value in row[2 + groups :]]
            registered = Counts(
                registered_families=values[0],
                registered_under_fives=values[1],
                expecting_families=values[6],
            )
            seen = Counts(
                seen_families=values[2],
                seen_under_fives=values[3],
                sustained_families=values[4],
                sustained_under_fives=values[5],
                expecting_seen_families=values[7],
            )
            cells.reach.setdefault((area, mask), Counts()).add(registered)
            if any(values[2:6]) or values[7]:
                cells.reach.setdefault((seen_at, mask), Counts()).add(seen)
        districts = area_districts()
        cursor.execute(
            months_sql,
            [config.rolling_start(as_of), as_of, *kinds, _month_parameter(trend_start)],
        )
        # Row kinds: 0 = a month's figures; 1 = families whose rolling windows open that month;
        # 2 = families whose windows close (summed month by month into `rolling`).
        changes: dict[int | None, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for kind, month_value, area, *rest in cursor.fetchall():
            key = _month_key_from_value(month_value)
            flags_of_row, families, contacts = rest[:groups], int(rest[groups]), rest[groups + 1]
            if kind == 0:
                value = cells.months.setdefault((key, area), MonthCounts())
                value.families_seen += families
                value.contacts += int(contacts or 0)
                mask = sum(1 << index for index, flag in enumerate(flags_of_row) if flag)
                group_key = (key, districts.get(area) if area is not None else None, mask)
                cells.month_groups[group_key] = cells.month_groups.get(group_key, 0) + families
            else:
                changes[area][month_number(key)] += families if kind == 1 else -families
        trend_numbers = {month_number(key): key for key in trend_keys}
        for area, by_month in changes.items():
            running = 0
            for number in range(min(by_month), max(trend_numbers) + 1):
                running += by_month.get(number, 0)
                if number in trend_numbers and running:
                    cells.rolling[(trend_numbers[number], area)] = running
    return cells


def raw_rows() -> tuple[list[FamilyRow], list[ContactRow]]:
    """Every live family and every contact as plain rows, for `measures.family_cells`.

    For tests and small councils only: the dashboards use `reach_cells_sql`.
    """
    from familyreach.delivery.models import Contact
    from familyreach.families.models import Child, Family

    births: dict[int, list[date]] = {}
    due: dict[int, list[date]] = {}
    for family_id, born, due_date in Child.objects.values_list(
        "family_id", "date_of_birth", "expected_due_date"
    ):
        if born is not None:
            births.setdefault(family_id, []).append(born)
        elif due_date is not None:
            due.setdefault(family_id, []).append(due_date)
    families = [
        FamilyRow(
            family_id=row["id"],
            area_id=row["area_id"],
            child_dates_of_birth=tuple(births.get(row["id"], ())),
            target_groups=frozenset(name for name in TARGET_GROUP_NAMES if row[name]),
            expected_due_dates=tuple(due.get(row["id"], ())),
        )
        for row in Family.objects.filter(archived_at__isnull=True).values(
            "id", "area_id", *TARGET_GROUP_NAMES
        )
    ]
    contacts = [
        ContactRow(family_id=family_id, date=day, kind=kind, area_id=area_id)
        for family_id, day, kind, area_id in Contact.objects.values_list(
            "family_id", "date", "kind", "area_id"
        )
    ]
    return families, contacts


def unreached_greatest_need_by_area() -> tuple[dict[int, float], ReachSnapshot]:
    """Unreached under-fives per greatest-need area (area id -> count) in the latest snapshot,
    and the snapshot: the demand planning's "unreached need" measure optimises on. Used inside
    planning only (not published), so these are the unsuppressed figures."""
    snapshot = latest_snapshot()
    if snapshot is None:
        raise ValueError(
            "No reach figures have been worked out yet: work them out on the reach dashboard "
            "(or run `familyreach insight refresh`) before planning on unreached need"
        )
    report = roll_up(Cells.from_json(snapshot.cells), area_rows())
    return unreached_greatest_need(report), snapshot


def latest_snapshot(*, as_of: date | None = None) -> ReachSnapshot | None:
    snapshots = ReachSnapshot.objects.all()
    if as_of is not None:
        snapshots = snapshots.filter(as_of=as_of)
    return snapshots.order_by("-as_of", "-computed_at").first()


def reach_refresh_latest() -> ReachRefresh | None:
    """The latest request to work out the figures (queued, running, or how it ended)."""
    return (
        ReachRefresh.objects.select_related("requested_by").order_by("-requested_at", "-id").first()
    )


# --- The report a page shows -------------------------------------------------------------------


@dataclass
class Dashboard:
    report: Report
    snapshot: ReachSnapshot
    areas: list[AreaRow]
    district: District | None
    area: Area | None

    @property
    def level(self) -> str:
        return "area" if self.area else "district" if self.district else "county"


# The parsed cells and the suppression of the latest snapshot, kept between page loads in this
# process: both depend only on the snapshot, the areas and the threshold (a few hundred ms for a
# county, every load otherwise). One entry each; a new snapshot replaces it.
_ROLLED: dict[str, tuple[object, Any]] = {}


def _remembered(name: str, key: object, compute: Any) -> Any:
    entry = _ROLLED.get(name)
    if entry is not None and entry[0] == key:
        return entry[1]
    value = compute()
    _ROLLED[name] = (key, value)
    return value


def snapshot_cells_and_hidden(
    snapshot: ReachSnapshot, areas: list[AreaRow], *, threshold: int
) -> tuple[Cells, Hidden | None]:
    """The snapshot's cells and what suppression hides over the whole county."""
    snapshot_key = (snapshot.pk, snapshot.as_of, snapshot.computed_at)
    cells: Cells = _remembered("cells", snapshot_key, lambda: Cells.from_json(snapshot.cells))
    if threshold <= 1:
        return cells, None
    hidden: Hidden = _remembered(
        "hidden",
        (snapshot_key, threshold, tuple(areas)),
        lambda: hidden_cells(cells, areas, threshold=threshold),
    )
    return cells, hidden


def dashboard_report(
    *, snapshot: ReachSnapshot, district_code: str | None = None, area_code: str | None = None
) -> Dashboard:
    """The report for the county, a district or an area, from a snapshot: 2 queries (areas with
    their districts; the district or area asked for) however many families there are.
    Published figures are always suppressed (docs/measures.md, "Small numbers")."""
    areas = area_rows()
    threshold = settings.INSIGHT_SUPPRESSION_THRESHOLD
    cells, hidden = snapshot_cells_and_hidden(snapshot, areas, threshold=threshold)
    options: dict[str, Any] = {"threshold": threshold, "hidden": hidden}
    district = area = None
    if area_code is not None:
        area = Area.objects.select_related("district").filter(code=area_code).first()
        if area is None:
            raise Http404("No area with that code.")
        district = area.district
        report = roll_up_published(cells, areas, area_id=area.pk, scope=area.name, **options)
    elif district_code is not None:
        district = District.objects.filter(code=district_code).first()
        if district is None:
            raise Http404("No district with that code.")
        report = roll_up_published(
            cells, areas, district_id=district.pk, scope=district.name, **options
        )
    else:
        report = roll_up_published(cells, areas, scope="County", **options)
    return Dashboard(report=report, snapshot=snapshot, areas=areas, district=district, area=area)
