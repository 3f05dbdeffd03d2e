from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _goals(outcome_goals: Any) -> None:
    """Every test here scores plans on the seeded goals (tests/fixtures/outcomes.py)."""
