"""Which districts an import is for: `--council E10000020` or `--districts E07000145,...`."""

from collections.abc import Iterable
from dataclasses import dataclass

from familyreach.geo.exceptions import ImportFailed
from familyreach.geo.models import Area, District


@dataclass(frozen=True)
class Scope:
    """The district codes an import keeps; rows for other districts are skipped, not errors."""

    district_codes: frozenset[str]
    council_code: str = ""
    council_name: str = ""

    def includes(self, district_code: str) -> bool:
        return district_code in self.district_codes

    def districts(self) -> dict[str, District]:
        return {d.code: d for d in District.objects.filter(code__in=self.district_codes)}

    def areas(self) -> list[Area]:
        return list(Area.objects.filter(district__code__in=self.district_codes))


def resolve_scope(
    *,
    council: str = "",
    districts: Iterable[str] | str = (),
    council_name: str = "",
) -> Scope:
    """Districts named, or those recorded for the council. One of the two is required."""
    if isinstance(districts, str):
        districts = [code for code in districts.split(",") if code.strip()]
    codes = frozenset(code.strip().upper() for code in districts)
    council = council.strip().upper()
    if codes:
        return Scope(codes, council, council_name)
    if not council:
        raise ImportFailed("Say which area to import: --council CODE or --districts CODE,CODE")
    known = frozenset(District.objects.filter(council_code=council).values_list("code", flat=True))
    if not known:
        raise ImportFailed(
            f"No districts are recorded for council {council} yet. Name them on the first "
            "import: --council CODE --council-name NAME --districts CODE,CODE "
            "(see docs/runbooks/load-another-council.md)"
        )
    name = (
        council_name
        or District.objects.filter(council_code=council)
        .values_list("council_name", flat=True)
        .first()
        or ""
    )
    return Scope(known, council, name)
