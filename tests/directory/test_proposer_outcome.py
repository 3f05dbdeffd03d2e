"""The proposer of a listing change hears the outcome by email, and by text when a domain
answering `proposer_mobile_wanted` knows their mobile number (issue 17)."""

from collections.abc import Callable
from typing import Any

import pytest

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.directory import services
from familyreach.directory.models import ListingChange
from familyreach.directory.signals import proposer_mobile_wanted
from familyreach.outbox.models import OutboundMessage
from tests.fixtures.directory import DirectoryWorld

pytestmark = pytest.mark.django_db


def _change(world: DirectoryWorld, admin: User) -> ListingChange:
    world.charity.editors.add(admin)
    change = services.service_edit(
        user=admin, organization=world.charity, service=None, changes={"name": "New group"}
    )
    assert isinstance(change, ListingChange)
    return change


def test_by_email_only_when_no_mobile_is_known(
    directory_world: DirectoryWorld, make_user: Callable[..., User], manager: User
) -> None:
    admin = make_user(Role.COMMUNITY_GROUP_ADMIN, email="ann@example.org")
    services.listing_change_reject(
        change=_change(directory_world, admin), user=manager, reason="Already listed"
    )
    (message,) = OutboundMessage.objects.all()
    assert (message.channel, message.to) == ("email", "ann@example.org")
    assert "Already listed" in message.body


def test_by_text_too_when_a_receiver_knows_the_mobile(
    directory_world: DirectoryWorld, make_user: Callable[..., User], manager: User
) -> None:
    admin = make_user(Role.COMMUNITY_GROUP_ADMIN, email="ann@example.org")

    def knows(sender: Any, *, user: User, **_: Any) -> str:
        return "07700 900321" if user == admin else ""

    proposer_mobile_wanted.connect(knows, dispatch_uid="test-knows")
    try:
        services.listing_change_reject(
            change=_change(directory_world, admin), user=manager, reason="Already listed"
        )
    finally:
        proposer_mobile_wanted.disconnect(dispatch_uid="test-knows")
    text = OutboundMessage.objects.get(channel="text")
    assert text.to == "07700 900321"
    assert "was not approved" in text.body
    assert "The reason given: Already listed" in text.body
