"""Reach measures at scale on PostgreSQL: simulated families and attendance over the real Norfolk
areas, then (1) the reduction that refreshes the reach snapshot and (2) dashboard loads.

    uv run python benchmarks/bench_insight_measures.py                 # 1 million / 10 million
    uv run python benchmarks/bench_insight_measures.py --families 100000 --contacts-per-family 10

Without DATABASE_URL pointing at PostgreSQL it runs itself under scripts/with-postgres.sh (a
throw-away cluster). The rows are generated in SQL (generate_series) and labelled simulated.
Prints figures; asserts nothing about time (see docs/benchmarks.md, "insight").
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def reexec_under_postgres() -> int:
    return subprocess.call(
        [
            "bash",
            str(ROOT / "scripts" / "with-postgres.sh"),
            sys.executable,
            __file__,
            *sys.argv[1:],
        ]
    )


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f} (1, 5, 15 min; 2 cores shared)"


def timed(label: str, function: object, *args: object, **kwargs: object) -> tuple[object, float]:
    started = time.perf_counter()
    result = function(*args, **kwargs)  # type: ignore[operator]
    seconds = time.perf_counter() - started
    print(f"  {label:58} {seconds:8.2f} s", flush=True)
    return result, seconds


GENERATED_TABLES = ("families_family", "families_child", "families_contact")


def generate(cursor: object, *, families: int, contacts_per_family: int, as_of: date) -> None:
    """Families spread over the areas in proportion to their estimated under-fives; one child
    under five each (a second for a quarter, an expected baby for one in 20); contacts over two
    years, mostly sessions, a tenth of them recorded in another area (the family moved).

    Set-based SQL only (INSERT … SELECT generate_series). For speed the secondary indexes of the
    three tables are dropped and rebuilt afterwards, and foreign-key triggers are off while the
    rows go in (`session_replication_role = replica`; the rows are generated consistent).
    """
    execute = cursor.execute  # type: ignore[attr-defined]
    execute("SELECT setseed(0.42)")
    execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
        "AND indexname NOT LIKE '%%_pkey'",
        [list(GENERATED_TABLES)],
    )
    indexes = cursor.fetchall()  # type: ignore[attr-defined]
    for name, _ in indexes:
        execute(f'DROP INDEX "{name}"')
    execute("SET session_replication_role = replica")
    execute(
        """
        INSERT INTO families_family (created_at, modified_at, archive_reason, address, postcode,
            area_is_exact, lone_parent, young_parent, disability_or_send,
            english_additional_language, workless_household, source, is_simulated,
            needs_duplicate_review, area_id, district_id)
        SELECT now(), now(), '', '', '', false, random() < 0.2, random() < 0.05, random() < 0.1,
               random() < 0.1, random() < 0.15, 'demo', true, false, a.id, a.district_id
        FROM geo_area a
        CROSS JOIN (SELECT SUM(COALESCE(under_fives, 0)) AS total FROM geo_area) totals
        CROSS JOIN LATERAL generate_series(
            1, round(%s * COALESCE(a.under_fives, 0) / totals.total)::int
        )
        """,
        [families],
    )
    execute(
        """
        INSERT INTO families_child (created_at, modified_at, first_name, last_name,
            date_of_birth, expected_due_date, family_id)
        SELECT now(), now(), 'Simulated child', '', %s::date - (random() * 1824)::int, NULL::date, f.id
        FROM families_family f
        UNION ALL
        SELECT now(), now(), 'Simulated child', '', %s::date - (random() * 1824)::int, NULL::date, f.id
        FROM families_family f WHERE random() < 0.25
        UNION ALL
        SELECT now(), now(), '', '', NULL::date, %s::date + (random() * 270)::int, f.id
        FROM families_family f WHERE random() < 0.05
        """,
        [as_of, as_of, as_of],
    )
    execute("SELECT MIN(id), MAX(id) FROM geo_area")
    lowest_area, highest_area = cursor.fetchone()  # type: ignore[attr-defined]
    execute(
        """
        INSERT INTO families_contact (created_at, modified_at, date, kind, adults, children,
            is_simulated, area_id, district_id, family_id)
        SELECT now(), now(), %s::date - (random() * 730)::int,
               (ARRAY['session_attendance', 'session_attendance', 'session_attendance',
                      'home_visit', 'one_to_one', 'phone'])[1 + floor(random() * 6)::int],
               1, 1, true,
               CASE WHEN random() < 0.1 THEN %s + floor(random() * (%s - %s + 1))::int
                    ELSE f.area_id END,
               f.district_id, f.id
        FROM families_family f CROSS JOIN generate_series(1, %s)
        WHERE random() < 0.8 OR f.id %% 3 = 0
        """,
        [
            as_of,
            lowest_area,
            highest_area,
            lowest_area,
            contacts_per_family + contacts_per_family // 4,
        ],
    )
    execute("SET session_replication_role = DEFAULT")
    for _, definition in indexes:
        execute(definition)
    execute("ANALYZE")


def explain(config: object, as_of: date) -> None:
    """Print PostgreSQL's plans for the two reduction queries (captured as they run)."""
    from django.db import connection, transaction

    from familyreach.insight.selectors import reach_cells_sql

    statements: list[tuple[str, object]] = []

    def capture(execute: object, sql: str, params: object, many: bool, context: object) -> object:
        statements.append((sql, params))
        return execute(sql, params, many, context)  # type: ignore[operator]

    # In one transaction, as the refresh runs, so its SET LOCAL work_mem applies to the plans.
    with transaction.atomic():
        with connection.execute_wrapper(capture):
            reach_cells_sql(as_of=as_of, config=config)  # type: ignore[arg-type]
        with connection.cursor() as cursor:
            for sql, params in statements:
                if sql.lstrip().upper().startswith("SET "):
                    cursor.execute(sql, params)  # type: ignore[arg-type]
                    continue
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)  # type: ignore[arg-type]
                print("\n".join(row[0] for row in cursor.fetchall()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--families", type=int, default=1_000_000)
    parser.add_argument("--contacts-per-family", type=int, default=10)
    parser.add_argument("--loads", type=int, default=5, help="Dashboard loads to time")
    parser.add_argument("--explain", action="store_true", help="Print the query plans")
    arguments = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return reexec_under_postgres()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "familyreach.config.settings.test")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from familyreach.accounts.models import User
    from familyreach.delivery.models import Contact
    from familyreach.families.models import Child, Family
    from familyreach.geo.models import Area
    from familyreach.geo.norfolk import load_norfolk
    from familyreach.insight.measures import MeasureConfig
    from familyreach.insight.selectors import dashboard_report, latest_snapshot, reach_cells_sql
    from familyreach.insight.services import reach_snapshot_refresh

    as_of = date(2026, 6, 30)
    print(f"PostgreSQL {connection.cursor().connection.info.server_version}; as of {as_of}")
    call_command("migrate", verbosity=0)
    timed("load the Norfolk geography (538 areas)", load_norfolk)
    print(f"load average at the start: {load_average()}")
    with connection.cursor() as cursor:
        _, generation = timed(
            f"generate {arguments.families:,} families, children and contacts in SQL",
            generate,
            cursor,
            families=arguments.families,
            contacts_per_family=arguments.contacts_per_family,
            as_of=as_of,
        )
    print(
        f"  rows: {Family.objects.count():,} families, {Child.objects.count():,} children, "
        f"{Contact.objects.count():,} contacts"
    )

    config = MeasureConfig.from_settings()
    if arguments.explain:
        explain(config, as_of)
    _, reduction = timed(
        "reduction in SQL (reach_cells_sql), cold", reach_cells_sql, as_of=as_of, config=config
    )
    _, reduction_warm = timed(
        "reduction in SQL (reach_cells_sql), warm", reach_cells_sql, as_of=as_of, config=config
    )
    _, refresh_seconds = timed(
        "snapshot refresh (reduction + store)", reach_snapshot_refresh, as_of=as_of
    )

    snapshot = latest_snapshot()
    assert snapshot is not None
    timings = [
        timed("roll-up from the snapshot (county report)", dashboard_report, snapshot=snapshot)[1]
        for _ in range(3)
    ]

    settings.ALLOWED_HOSTS.append("testserver")
    manager = User.objects.create_user(username="bench-manager", password="x" * 20)
    manager.is_superuser = True
    manager.save()
    client = Client()
    client.force_login(manager)
    area_code = (
        Area.objects.filter(district__code="E07000145")
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
    pages = [
        ("county dashboard", reverse("insight:dashboard")),
        ("district dashboard (Great Yarmouth)", reverse("insight:district", args=["E07000145"])),
        (f"area dashboard ({area_code})", reverse("insight:area", args=[area_code])),
        ("chart and map data (JSON)", reverse("insight:data")),
        ("CSV export (areas)", reverse("insight:export-csv") + "?table=areas"),
        ("Excel export (every table)", reverse("insight:export-xlsx")),
    ]
    page_times: dict[str, list[float]] = {}
    for label, address in pages:
        client.get(address)  # the first load of each compiles its templates
        page_times[label] = []
        for _ in range(arguments.loads):
            started = time.perf_counter()
            response = client.get(address)
            page_times[label].append(time.perf_counter() - started)
            assert response.status_code == 200, (label, response.status_code)
    print()
    print(f"families {Family.objects.count():,}; contacts {Contact.objects.count():,}")
    print(f"generation: {generation:.1f} s")
    print(
        f"reduction (refresh, nightly or on demand): cold {reduction:.2f} s, "
        f"warm {reduction_warm:.2f} s; snapshot refresh {refresh_seconds:.2f} s"
    )
    print(f"roll-up from snapshot: median {statistics.median(timings):.3f} s")
    for label, values in page_times.items():
        print(
            f"{label}: median {statistics.median(values):.3f} s, max {max(values):.3f} s "
            f"over {len(values)} loads"
        )
    print(f"load average at the end: {load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
