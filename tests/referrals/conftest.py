"""Referral tests start with an empty outbox."""

import pytest

from tests.fixtures.outbox import forget_stored_messages


@pytest.fixture(autouse=True)
def empty_outbox() -> None:
    forget_stored_messages()
