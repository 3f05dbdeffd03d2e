"""The demo's contract: four quarterly returns, three signed off and the latest submitted with
an amber measure explained; running the step again changes nothing."""

import io
from collections.abc import Callable
from datetime import date

import pytest

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.commissioning import demo
from familyreach.commissioning.models import Contract, Rating, ReturnStatus
from tests.commissioning.conftest import CommissioningWorld

pytestmark = pytest.mark.django_db


def test_last_quarter_ends() -> None:
    assert demo.last_quarter_ends(date(2026, 12, 6), 4) == [
        date(2025, 12, 31),
        date(2026, 3, 31),
        date(2026, 6, 30),
        date(2026, 9, 30),
    ]
    assert demo.last_quarter_ends(date(2026, 1, 1), 1) == [date(2025, 12, 31)]


def test_the_demo_contract_has_four_returns_one_amber_explained(
    commissioning_world: CommissioningWorld, make_user: Callable[..., User]
) -> None:
    make_user(Role.PROVIDER_MANAGER, username="demo-provider")
    make_user(Role.PLANNER, username="demo-planner")
    demo.load(io.StringIO())
    demo.load(io.StringIO())
    contract = Contract.objects.get(name=demo.DEMO_CONTRACT)
    returns = list(contract.returns.order_by("quarter_end"))
    assert len(returns) == 4
    assert [r.status for r in returns] == [ReturnStatus.SIGNED_OFF] * 3 + [ReturnStatus.SUBMITTED]
    latest = returns[-1].measures.get(code="seen_reach")
    assert latest.rating == Rating.AMBER
    assert "outreach workers" in latest.explanation
