"""Contracts and returns hold counts and a provider's words, never a family's record: case
studies are written without names, with the family's consent (docs/commissioning.md)."""

from familyreach.core.personal_data import exempt


def register() -> None:
    from familyreach.commissioning.models import (
        Contract,
        ContractMeasure,
        QuarterlyReturn,
        ReturnEvent,
        ReturnMeasure,
    )

    exempt(
        Contract,
        ContractMeasure,
        QuarterlyReturn,
        ReturnMeasure,
        ReturnEvent,
        reason="contracts and returns: suppressed counts and the provider's narrative, no "
        "family's record",
    )
