"""Money against reach: spend on buildings against frontline, and cost per family seen, per
district. Pure arithmetic; `loop.spend_by_district` gathers the spend from planning and delivery.
"""

from dataclasses import dataclass

from familyreach.insight.measures import Report


@dataclass(frozen=True)
class DistrictSpend:
    district_id: int
    district_name: str
    buildings: float  # £ a year
    frontline: float  # £ a year


@dataclass(frozen=True)
class MoneyFigures:
    label: str
    buildings: float
    frontline: float
    families_seen: int
    # Families seen is suppressed (small numbers): so is the cost per family seen.
    hidden: bool = False

    @property
    def total(self) -> float:
        return self.buildings + self.frontline

    @property
    def buildings_share(self) -> float | None:
        return self.buildings / self.total if self.total > 0 else None

    @property
    def frontline_share(self) -> float | None:
        """The share of spend reaching families (frontline staff), the rest of buildings'."""
        return self.frontline / self.total if self.total > 0 else None

    @property
    def cost_per_family_seen(self) -> float | None:
        return self.total / self.families_seen if self.families_seen else None


def money_by_district(
    spend: list[DistrictSpend], report: Report
) -> tuple[list[MoneyFigures], MoneyFigures]:
    """Each district's spend beside its families seen (from the county report), and the county."""
    seen = {figures.label: figures.counts.seen_families for figures in report.districts}
    hidden = {figures.label for figures in report.districts if "seen_families" in figures.hidden}
    by_name: dict[str, tuple[float, float]] = {}
    for row in spend:
        buildings, frontline = by_name.get(row.district_name, (0.0, 0.0))
        by_name[row.district_name] = (buildings + row.buildings, frontline + row.frontline)
    names = sorted(set(by_name) | set(seen))
    districts = [
        MoneyFigures(
            label=name,
            buildings=by_name.get(name, (0.0, 0.0))[0],
            frontline=by_name.get(name, (0.0, 0.0))[1],
            families_seen=seen.get(name, 0),
            hidden=name in hidden,
        )
        for name in names
    ]
    county = MoneyFigures(
        label=report.scope,
        buildings=sum(item.buildings for item in districts),
        frontline=sum(item.frontline for item in districts),
        families_seen=report.total.counts.seen_families,
        hidden="seen_families" in report.total.hidden,
    )
    return districts, county
