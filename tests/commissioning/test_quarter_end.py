"""Drafting at quarter end: the daily job drafts each running contract's return for the quarter
just ended, once, and tells the provider's managers by email; the next quarter's return shows
the previous quarters beside its own figure."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.commissioning import services
from familyreach.commissioning.models import Contract, ContractMeasure, QuarterlyReturn
from familyreach.directory import services as directory_services
from familyreach.outbox.models import OutboundMessage

pytestmark = pytest.mark.django_db


def test_the_last_quarter_ended_before_a_day() -> None:
    assert services.last_quarter_end(date(2026, 7, 1)) == date(2026, 6, 30)
    assert services.last_quarter_end(date(2026, 6, 30)) == date(2026, 3, 31)
    assert services.last_quarter_end(date(2026, 1, 15)) == date(2025, 12, 31)
    assert services.previous_quarter_ends(date(2026, 6, 30)) == [
        date(2025, 9, 30),
        date(2025, 12, 31),
        date(2026, 3, 31),
    ]


def test_the_job_drafts_each_quarter_once_and_emails_the_provider(
    small_county: dict[str, Any], make_user: Callable[..., User]
) -> None:
    provider = directory_services.organization_upsert(
        source="test", source_reference="job-provider", name="Provider", description="."
    )
    manager = make_user(Role.PROVIDER_MANAGER, username="pat", email="pat@provider.example")
    contract = Contract.objects.create(
        name="Family service",
        provider=provider,
        starts_on=date(2026, 4, 1),
        ends_on=date(2027, 3, 31),
        annual_value=Decimal("100000"),
    )
    contract.provider_managers.add(manager)
    ContractMeasure.objects.create(contract=contract, code="peer_led_share", target=0.2)
    # A contract that ended before the quarter gets no return.
    Contract.objects.create(
        name="Old contract",
        provider=provider,
        starts_on=date(2024, 4, 1),
        ends_on=date(2025, 3, 31),
        annual_value=Decimal("1"),
    )

    first = services.returns_draft_due(today=date(2026, 7, 1))
    again = services.returns_draft_due(today=date(2026, 7, 2))
    assert [r.quarter_end for r in first] == [date(2026, 6, 30)]
    assert again == []
    assert QuarterlyReturn.objects.get().contract == contract
    message = OutboundMessage.objects.get()
    assert message.to == "pat@provider.example"
    assert f"/staff/commissioning/returns/{first[0].pk}" in message.body

    # Next quarter: drafted by the job, its trend names the quarters before, as reported.
    second = services.returns_draft_due(today=date(2026, 10, 1))
    measure = second[0].measures.get()
    reported = first[0].measures.get()
    assert [point["label"] for point in measure.trend] == [
        "October to December 2025",
        "January to March 2026",
        "April to June 2026",
    ]
    assert [point["text"] for point in measure.trend] == ["no return", "no return", reported.text]
    assert OutboundMessage.objects.count() == 2
