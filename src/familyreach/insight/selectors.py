"""Reads for insight: who may see reach, the areas with their need, the reduction of families and
contacts to counts (in SQL), and the report a dashboard shows.

The SQL here computes exactly what `measures.family_cells` computes from raw rows; the tests run
both on the same records and compare. Dashboards read a stored snapshot, so a page does a fixed,
small number of queries however many families and contacts there are.
"""

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
    month_key,
    roll_up,
    unreached_greatest_need,
)
from familyreach.insight.models import ReachSnapshot

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
            under_fives=float(area.under_fives or 0.0),
            under_fives_is_estimate=area.under_fives_is_estimate,
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
    from familyreach.families.models import Child, Contact, Family

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
    number = int(str(value))
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def reach_cells_sql(*, as_of: date, config: MeasureConfig) -> Cells:
    """`measures.family_cells` done by the database: two grouped queries, whatever the volume.

    Indexes that make it fast on PostgreSQL: contacts by (date, kind, family) and children by
    (date of birth, family) — see docs/benchmarks.md.
    """
    family_table, child_table, contact_table = _tables()
    kinds = sorted(config.seen_contact_kinds)
    kind_placeholders = ", ".join(["%s"] * len(kinds))
    flags = ", ".join(f"f.{name}" for name in TARGET_GROUP_NAMES)
    reach_sql = f"""
        WITH children AS (
            SELECT family_id, COUNT(*) AS under_fives FROM {child_table}
            WHERE date_of_birth > %s AND date_of_birth <= %s
            GROUP BY family_id
        ), counted AS (
            SELECT family_id, COUNT(*) AS contacts FROM {contact_table}
            WHERE date >= %s AND date <= %s AND kind IN ({kind_placeholders})
            GROUP BY family_id
        )
        SELECT f.area_id, {flags},
            COUNT(*),
            SUM(children.under_fives),
            SUM(CASE WHEN counted.contacts >= 1 THEN 1 ELSE 0 END),
            SUM(CASE WHEN counted.contacts >= 1 THEN children.under_fives ELSE 0 END),
            SUM(CASE WHEN counted.contacts >= %s THEN 1 ELSE 0 END),
            SUM(CASE WHEN counted.contacts >= %s THEN children.under_fives ELSE 0 END)
        FROM {family_table} f
        JOIN children ON children.family_id = f.id
        LEFT JOIN counted ON counted.family_id = f.id
        WHERE f.archived_at IS NULL
        GROUP BY f.area_id, {flags}
    """  # noqa: S608 - table names come from our models; values are parameters
    trend_keys = config.trend_month_keys(as_of)
    trend_start = date.fromisoformat(f"{trend_keys[0]}-01")
    month = _month_expression("c.date")
    # Contacts are first counted per family and month (no join), then the much smaller result
    # is joined to the families for their areas.
    months_sql = f"""
        SELECT per_family.month, f.area_id, COUNT(*), SUM(per_family.contacts)
        FROM (
            SELECT {month} AS month, c.family_id, COUNT(*) AS contacts
            FROM {contact_table} c
            WHERE c.date >= %s AND c.date <= %s AND c.kind IN ({kind_placeholders})
            GROUP BY {month}, c.family_id
        ) per_family
        JOIN {family_table} f ON f.id = per_family.family_id
        WHERE f.archived_at IS NULL
        GROUP BY per_family.month, f.area_id
    """  # noqa: S608
    cells = Cells(as_of=as_of, config=config)
    minimum = config.sustained_minimum_contacts
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            # Enough memory for the hash aggregates over a county's contacts not to spill to
            # disk; SET LOCAL ends with the refresh's transaction.
            cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute(
            reach_sql,
            [
                config.earliest_under_five_birth(as_of),
                as_of,
                config.window_start(as_of),
                as_of,
                *kinds,
                minimum,
                minimum,
            ],
        )
        groups = len(TARGET_GROUP_NAMES)
        for row in cursor.fetchall():
            mask = sum(1 << index for index, flag in enumerate(row[1 : 1 + groups]) if flag)
            counts = Counts.from_list([value or 0 for value in row[1 + groups :]])
            key = (row[0], mask)
            if key in cells.reach:  # cannot happen with GROUP BY, but never lose a count
                cells.reach[key].add(counts)
            else:
                cells.reach[key] = counts
        cursor.execute(months_sql, [trend_start, as_of, *kinds])
        for month_value, area_id, families_seen, contacts in cursor.fetchall():
            cells.months[(_month_key_from_value(month_value), area_id)] = MonthCounts(
                int(families_seen), int(contacts or 0)
            )
    return cells


def raw_rows() -> tuple[list[FamilyRow], list[ContactRow]]:
    """Every live family and every contact as plain rows, for `measures.family_cells`.

    For tests and small councils only: the dashboards use `reach_cells_sql`.
    """
    from familyreach.families.models import Child, Contact, Family

    births: dict[int, list[date]] = {}
    for family_id, born in Child.objects.filter(date_of_birth__isnull=False).values_list(
        "family_id", "date_of_birth"
    ):
        if born is not None:
            births.setdefault(family_id, []).append(born)
    families = [
        FamilyRow(
            family_id=row["id"],
            area_id=row["area_id"],
            child_dates_of_birth=tuple(births.get(row["id"], ())),
            target_groups=frozenset(name for name in TARGET_GROUP_NAMES if row[name]),
        )
        for row in Family.objects.filter(archived_at__isnull=True).values(
            "id", "area_id", *TARGET_GROUP_NAMES
        )
    ]
    contacts = [
        ContactRow(family_id=family_id, date=day, kind=kind)
        for family_id, day, kind in Contact.objects.values_list("family_id", "date", "kind")
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


def dashboard_report(
    *, snapshot: ReachSnapshot, district_code: str | None = None, area_code: str | None = None
) -> Dashboard:
    """The report for the county, a district or an area, from a snapshot: 2 queries (areas with
    their districts; the district or area asked for) however many families there are."""
    areas = area_rows()
    # Published figures are always suppressed (docs/measures.md, "Small numbers").
    threshold = settings.INSIGHT_SUPPRESSION_THRESHOLD
    district = area = None
    if area_code is not None:
        area = Area.objects.select_related("district").filter(code=area_code).first()
        if area is None:
            raise Http404("No area with that code.")
        district = area.district
        report = roll_up(
            Cells.from_json(snapshot.cells),
            areas,
            area_id=area.pk,
            scope=f"{area.name}",
            suppression_threshold=threshold,
        )
    elif district_code is not None:
        district = District.objects.filter(code=district_code).first()
        if district is None:
            raise Http404("No district with that code.")
        report = roll_up(
            Cells.from_json(snapshot.cells),
            areas,
            district_id=district.pk,
            scope=district.name,
            suppression_threshold=threshold,
        )
    else:
        report = roll_up(
            Cells.from_json(snapshot.cells),
            areas,
            scope="County",
            suppression_threshold=threshold,
        )
    return Dashboard(report=report, snapshot=snapshot, areas=areas, district=district, area=area)
