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

from collections.abc import Hashable, Mapping, Sequence

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
