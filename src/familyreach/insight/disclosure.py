"""Small-number suppression: published figures about areas must not let a reader identify a
family.

Every count of families, children or contacts that is at least 1 and below the threshold
(`INSIGHT_SUPPRESSION_THRESHOLD`, default 5: counts 1–4) is hidden — *primary* suppression —
and so is every rate built from it. A published total could still give a hidden count away by
subtraction (a district's total minus its other areas), so *secondary* suppression hides more
cells until, for every published total and every way it is split into published parts:

- if the total is shown, the hidden parts add up to 0 or to at least the threshold (so the
  total minus the shown parts never reveals a small number);
- if the total is hidden, at least one of its non-zero parts is hidden too (so adding up the
  shown parts never reveals the total).

Cells are hidden smallest first. Suppression is worked out once over the whole county — every
total that any page or export shows (county, districts, IDACI deciles, greatest-need areas,
deciles and greatest-need areas within each district, areas; target groups; months) — so the
same cell is hidden on every page. It protects against differencing of one published total at a
time; it is not a full linear-programming audit of every combination of tables (see
docs/measures.md, "Small numbers").

Zero is shown: "none" does not identify anyone, and hiding zeros would hide where there is no
reach at all.
"""

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

from familyreach.insight.measures import (
    TARGET_GROUP_NAMES,
    AreaRow,
    Cells,
    Counts,
    Report,
    groups_in_mask,
    roll_up,
)

# What a suppressed value shows in tables, on the map and in exports (ONS: "[c]" confidential).
MARK = "[c]"
NOTE = (
    "[c] = confidential: fewer than {threshold} (families, children or contacts), or hidden so "
    "that it cannot be worked out from a total. Rates built on a hidden count are hidden too."
)


def note(threshold: int) -> str:
    return NOTE.format(threshold=threshold)


def protect[Node: Hashable](
    values: Mapping[Node, int],
    partitions: Sequence[tuple[Node, Sequence[Node]]],
    *,
    threshold: int,
) -> set[Node]:
    """The nodes to hide: primary (1 ≤ value < threshold) and secondary (see the module).

    `values` holds every published count (leaves and totals); `partitions` lists each total with
    one way it splits into published parts (a total may appear in several partitions). With a
    threshold of 1 or less nothing is hidden.
    """
    if threshold <= 1:
        return set()
    hidden = {node for node, value in values.items() if 0 < value < threshold}
    changed = True
    while changed:
        changed = False
        for total, parts in partitions:
            if values.get(total, 0) <= 0:
                continue
            if total in hidden:
                if any(part in hidden and values.get(part, 0) > 0 for part in parts):
                    continue
            else:
                remainder = sum(values.get(part, 0) for part in parts if part in hidden)
                if not 0 < remainder < threshold:
                    continue
            shown = [part for part in parts if part not in hidden and values.get(part, 0) > 0]
            if not shown:
                continue  # cannot happen for a shown total; a hidden one stays hidden
            hidden.add(min(shown, key=lambda part: (values.get(part, 0), repr(part))))
            changed = True
    return hidden


# --- Small-number suppression over every published total --------------------------------------

# The counts tables, the map and the exports show (each also hides the rates built on it).
SUPPRESSED_COUNTS: tuple[str, ...] = (
    "registered_families",
    "seen_families",
    "sustained_families",
    "seen_under_fives",
    "expecting_families",
    "expecting_seen_families",
)
GROUP_SUPPRESSED_COUNTS: tuple[str, ...] = (
    "registered_families",
    "seen_families",
    "sustained_families",
)
MONTH_SUPPRESSED_COUNTS: tuple[str, ...] = ("families_seen", "contacts", "seen_in_window")

Node = tuple[object, ...]
COUNTY: Node = ("county",)
NO_AREA: Node = ("no_area",)


@dataclass
class Hidden:
    """What small-number suppression hides, per count, as nodes: ("area", id), ("district",
    id), ("decile", n), ("greatest_need",), ("district_decile", id, n), ("district_greatest_need",
    id), ("county",) and ("no_area",)."""

    threshold: int
    reach: dict[str, set[Node]] = field(default_factory=dict)
    groups: dict[tuple[str, str], set[Node]] = field(default_factory=dict)
    months: dict[tuple[str, str], set[Node]] = field(default_factory=dict)
    # (month, target group) -> hidden nodes among the county, districts and "no area".
    month_groups: dict[tuple[str, str], set[Node]] = field(default_factory=dict)

    def reach_at(self, node: Node) -> frozenset[str]:
        return frozenset(name for name, nodes in self.reach.items() if node in nodes)

    def group_at(self, group: str, node: Node) -> frozenset[str]:
        return frozenset(
            name
            for (group_name, name), nodes in self.groups.items()
            if group_name == group and node in nodes
        )

    def month_at(self, month: str, node: Node) -> frozenset[str]:
        return frozenset(
            name
            for (month_name, name), nodes in self.months.items()
            if month_name == month and node in nodes
        )


def _structure(
    areas: Sequence[AreaRow],
) -> tuple[dict[Node, list[int]], list[tuple[Node, list[Node]]]]:
    """Every published total over areas (node -> its areas) and the ways totals split into
    published parts."""
    members: dict[Node, list[int]] = defaultdict(list)
    for area in areas:
        identifier = area.area_id
        members[("area", identifier)].append(identifier)
        members[COUNTY].append(identifier)
        members[("district", area.district_id)].append(identifier)
        members[("decile", area.idaci_decile)].append(identifier)
        members[("district_decile", area.district_id, area.idaci_decile)].append(identifier)
        if area.greatest_need:
            members[("greatest_need",)].append(identifier)
            members[("district_greatest_need", area.district_id)].append(identifier)
    districts = sorted({area.district_id for area in areas})
    deciles = sorted(
        {area.idaci_decile for area in areas}, key=lambda value: (value is None, value or 0)
    )
    partitions: list[tuple[Node, list[Node]]] = []
    # Every total split into its areas first (the finest split), then into its published parts.
    for node, identifiers in members.items():
        if node[0] != "area":
            partitions.append((node, [("area", identifier) for identifier in identifiers]))
    partitions.append((COUNTY, [("district", district) for district in districts]))
    partitions.append((COUNTY, [("decile", decile) for decile in deciles]))
    for district in districts:
        partitions.append(
            (
                ("district", district),
                [("district_decile", district, decile) for decile in deciles],
            )
        )
    for decile in deciles:
        partitions.append(
            (
                ("decile", decile),
                [("district_decile", district, decile) for district in districts],
            )
        )
    partitions.append(
        (
            ("greatest_need",),
            [("district_greatest_need", district) for district in districts],
        )
    )
    return members, partitions


def hidden_cells(cells: Cells, areas: Sequence[AreaRow], *, threshold: int) -> Hidden:
    """Small-number suppression over every total any page or export shows (the whole county,
    whatever page is asked for, so a cell is hidden on every page or none)."""
    hidden = Hidden(threshold=threshold)
    if threshold <= 1:
        return hidden
    known = {area.area_id for area in areas}
    area_counts: dict[int, Counts] = defaultdict(Counts)
    group_counts: dict[tuple[str, int], Counts] = defaultdict(Counts)
    for (cell_area, mask), counts in cells.reach.items():
        if cell_area is None or cell_area not in known:
            continue
        area_counts[cell_area].add(counts)
        for name in groups_in_mask(mask):
            group_counts[(name, cell_area)].add(counts)
    members, partitions = _structure(areas)

    def totals(value_of_area: Mapping[int, int]) -> dict[Node, int]:
        return {
            node: sum(value_of_area.get(identifier, 0) for identifier in identifiers)
            for node, identifiers in members.items()
        }

    for name in SUPPRESSED_COUNTS:
        values = totals({area: getattr(counts, name) for area, counts in area_counts.items()})
        hidden.reach[name] = protect(values, partitions, threshold=threshold)

    # Target groups: by area, district and county (no deciles are shown for groups).
    group_nodes = {
        node: identifiers
        for node, identifiers in members.items()
        if node[0] in ("area", "district", "county")
    }
    district_ids = sorted({area.district_id for area in areas})
    group_partitions: list[tuple[Node, list[Node]]] = [
        (node, [("area", identifier) for identifier in identifiers])
        for node, identifiers in group_nodes.items()
        if node[0] != "area"
    ]
    group_partitions.append((COUNTY, [("district", district) for district in district_ids]))
    for group in TARGET_GROUP_NAMES:
        for name in GROUP_SUPPRESSED_COUNTS:
            by_area = {
                area: getattr(counts, name)
                for (group_name, area), counts in group_counts.items()
                if group_name == group
            }
            values = {
                node: sum(by_area.get(identifier, 0) for identifier in identifiers)
                for node, identifiers in group_nodes.items()
            }
            hidden.groups[(group, name)] = protect(values, group_partitions, threshold=threshold)

    # Months: by area, district and county; the county also counts families with no area.
    month_partitions = [
        (node, [*parts, NO_AREA] if node == COUNTY else parts)
        for node, parts in group_partitions[:-1]
    ]
    month_partitions.append(
        (COUNTY, [*(("district", district) for district in district_ids), NO_AREA])
    )
    by_month: dict[tuple[str, str], dict[int | None, int]] = defaultdict(dict)
    for (month, cell_area), value in cells.months.items():
        by_month[(month, "families_seen")][cell_area] = value.families_seen
        by_month[(month, "contacts")][cell_area] = value.contacts
    for (month, cell_area), number in cells.rolling.items():
        by_month[(month, "seen_in_window")][cell_area] = number
    for month in cells.config.trend_month_keys(cells.as_of):
        for name in MONTH_SUPPRESSED_COUNTS:
            month_cells = by_month.get((month, name), {})
            values = {
                node: sum(month_cells.get(identifier, 0) for identifier in identifiers)
                for node, identifiers in group_nodes.items()
            }
            values[NO_AREA] = month_cells.get(None, 0)
            values[COUNTY] += values[NO_AREA]
            hidden.months[(month, name)] = protect(values, month_partitions, threshold=threshold)

    # Months by target group: by district and county (with families of no known area).
    district_partition = [
        (COUNTY, [*(("district", district) for district in district_ids), NO_AREA])
    ]
    by_group_month: dict[tuple[str, str], dict[Node, int]] = defaultdict(lambda: defaultdict(int))
    for (month, district, mask), number in cells.month_groups.items():
        node: Node = ("district", district) if district is not None else NO_AREA
        for group in groups_in_mask(mask):
            by_group_month[(month, group)][node] += number
            by_group_month[(month, group)][COUNTY] += number
    for key, values_of_group in by_group_month.items():
        hidden.month_groups[key] = protect(
            dict(values_of_group), district_partition, threshold=threshold
        )
    return hidden


def roll_up_published(
    cells: Cells,
    areas: Sequence[AreaRow],
    *,
    threshold: int,
    hidden: Hidden | None = None,
    district_id: int | None = None,
    area_id: int | None = None,
    scope: str = "County",
) -> Report:
    """`measures.roll_up` for publishing: with a `threshold` above 1, counts below it (and the
    figures built on them) are marked hidden on every figure, worked out over the whole county
    (`hidden_cells`; pass `hidden` when it has been worked out already for these cells, areas
    and threshold)."""
    report = roll_up(cells, areas, district_id=district_id, area_id=area_id, scope=scope)
    report.suppression_threshold = threshold
    if threshold > 1:
        mark_hidden(
            report,
            hidden or hidden_cells(cells, areas, threshold=threshold),
            district_id=district_id,
            area_id=area_id,
        )
    return report


def mark_hidden(
    report: Report, hidden: Hidden, *, district_id: int | None, area_id: int | None
) -> None:
    """Mark each figure of a report with the counts suppression hides at its node."""
    if area_id is not None:
        scope_node: Node = ("area", area_id)
    elif district_id is not None:
        scope_node = ("district", district_id)
    else:
        scope_node = COUNTY
    report.total.hidden = hidden.reach_at(scope_node)
    for figures in report.areas:
        assert figures.area is not None
        figures.hidden = hidden.reach_at(("area", figures.area.area_id))
    # A district's figures are keyed by its code (or its id when it has none), as in roll_up.
    district_ids = {
        figures.area.district_code or str(figures.area.district_id): figures.area.district_id
        for figures in report.areas
        if figures.area is not None
    }
    for district in report.districts:
        district.hidden = hidden.reach_at(("district", district_ids.get(district.key)))
    for decile in report.deciles:
        value = None if decile.key == "unknown" else int(decile.key)
        if area_id is not None:
            node: Node = scope_node
        elif district_id is not None:
            node = ("district_decile", district_id, value)
        else:
            node = ("decile", value)
        decile.hidden = hidden.reach_at(node)
    if area_id is not None:
        report.greatest_need.hidden = hidden.reach_at(scope_node)
    elif district_id is not None:
        report.greatest_need.hidden = hidden.reach_at(("district_greatest_need", district_id))
    else:
        report.greatest_need.hidden = hidden.reach_at(("greatest_need",))
    for group in report.target_groups:
        group.hidden = hidden.group_at(group.key, scope_node)
    for month in report.months:
        month.hidden = hidden.month_at(month.month, scope_node)
    group_node: Node = ("district", district_id) if district_id is not None else COUNTY
    for group_name, series in (report.month_groups or {}).items():
        for point in series:
            point.hidden = group_node in hidden.month_groups.get((point.month, group_name), set())
    report.families_without_area_hidden = 0 < report.families_without_area < hidden.threshold
