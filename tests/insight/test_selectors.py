"""The database's reduction matches the reference arithmetic on the same records."""

from typing import Any

import pytest

from familyreach.insight.measures import Cells, MeasureConfig, family_cells, roll_up
from familyreach.insight.selectors import area_districts, area_rows, raw_rows, reach_cells_sql
from familyreach.insight.services import reach_snapshot_refresh
from tests.fixtures.insight import ReachWorld, build_reach_world


@pytest.mark.parametrize(
    "config",
    [
        MeasureConfig(),
        MeasureConfig(
            window_months=6,
            sustained_minimum_contacts=2,
            seen_contact_kinds=frozenset({"phone", "home_visit"}),
            trend_months=30,
        ),
    ],
)
def test_sql_cells_equal_cells_from_raw_rows(
    reach_world: ReachWorld, config: MeasureConfig
) -> None:
    families, contacts = raw_rows()
    expected = family_cells(
        families,
        contacts,
        as_of=reach_world.as_of,
        config=config,
        area_districts=area_districts(),
    )
    actual = reach_cells_sql(as_of=reach_world.as_of, config=config)
    assert actual.reach == expected.reach
    assert actual.months == expected.months
    assert actual.month_groups == expected.month_groups
    assert actual.rolling == expected.rolling
    # The world exercises what the SQL must get right: families seen in another area than
    # they live in now, expected babies, rolling windows.
    assert any(counts.expecting_families for counts in actual.reach.values())
    assert actual.rolling
    # The world is not trivial: something is registered, seen and unseen, and some is sustained.
    total = roll_up(actual, area_rows()).total.counts
    assert total.registered_families > total.seen_families > total.sustained_families > 0


def test_archived_families_are_not_counted(reach_world: ReachWorld) -> None:
    config = MeasureConfig()
    before = roll_up(reach_cells_sql(as_of=reach_world.as_of, config=config), area_rows())
    families, _ = raw_rows()
    assert reach_world.families[1].pk not in {row.family_id for row in families}
    # Un-archive it: counts can only grow (it has children or contacts, or both).
    archived = reach_world.families[1]
    archived.archived_at = None
    archived.save()
    after = roll_up(reach_cells_sql(as_of=reach_world.as_of, config=config), area_rows())
    assert after.total.counts.registered_families >= before.total.counts.registered_families


def test_snapshot_refresh_stores_the_counts(reach_world: ReachWorld, manager: Any) -> None:
    snapshot = reach_snapshot_refresh(user=manager, as_of=reach_world.as_of)
    families, contacts = raw_rows()
    expected = family_cells(
        families, contacts, as_of=reach_world.as_of, config=MeasureConfig.from_settings()
    )
    stored = Cells.from_json(snapshot.cells)
    assert (stored.reach, stored.months) == (expected.reach, expected.months)
    assert stored.rolling == expected.rolling
    assert snapshot.computed_by == manager
    assert snapshot.includes_simulated is False


@pytest.mark.parametrize("seed", [2, 3])
def test_other_seeded_worlds_agree_too(db: Any, seed: int) -> None:
    world = build_reach_world(seed=seed, families=25)
    config = MeasureConfig()
    families, contacts = raw_rows()
    expected = family_cells(
        families, contacts, as_of=world.as_of, config=config, area_districts=area_districts()
    )
    actual = reach_cells_sql(as_of=world.as_of, config=config)
    assert actual.reach == expected.reach
    assert (actual.months, actual.month_groups, actual.rolling) == (
        expected.months,
        expected.month_groups,
        expected.rolling,
    )


def test_refresh_command(reach_world: ReachWorld) -> None:
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from familyreach.insight.models import ReachSnapshot

    out = io.StringIO()
    call_command("insight_refresh", "--as-of", "2026-06-30", stdout=out)
    assert "Reach as of 2026-06-30" in out.getvalue()
    assert ReachSnapshot.objects.get().as_of.isoformat() == "2026-06-30"
    with pytest.raises(CommandError, match="must be a date"):
        call_command("insight_refresh", "--as-of", "30/06/2026")
