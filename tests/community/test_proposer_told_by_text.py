"""A group admin who proposed a change to their group's listing hears the outcome by text as
well as by email when they gave a mobile number as the group's leader or contact (issue 17)."""

from collections.abc import Callable
from typing import Any

import pytest

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.community.publishing import SOURCE, group_reference
from familyreach.community.selectors import group_admin_mobile
from familyreach.directory import services as directory
from familyreach.directory.models import ListingChange, Service
from familyreach.outbox.models import OutboundMessage
from tests.fixtures.outbox import forget_stored_messages

pytestmark = pytest.mark.django_db

LEADERS = [
    {
        "name": "Priti Shah",
        "email": "priti@example.org",
        "phone": "07700 900123",
        "is_safeguarding_lead": True,
    },
    {"name": "Tom Reed", "email": "tom@example.org", "phone": "07700 900456"},
]


def _propose(admin: User, group: Any, name: str) -> ListingChange:
    service = Service.objects.get(source=SOURCE, source_reference=group_reference(group))
    change = directory.service_edit(
        user=admin, organization=service.organization, service=service, changes={"name": name}
    )
    assert isinstance(change, ListingChange)
    return change


def test_the_outcome_goes_by_email_and_by_text_to_the_admins_own_mobile(
    make_group: Callable[..., Any], make_user: Callable[..., User], manager: User
) -> None:
    admin = make_user(Role.COMMUNITY_GROUP_ADMIN, email="Priti@example.org")
    group = make_group(user=admin, leaders=LEADERS, approve_by=manager)
    forget_stored_messages()

    directory.listing_change_approve(change=_propose(admin, group, "Tots and Tea"), user=manager)
    email, text = OutboundMessage.objects.order_by("id")
    assert (email.channel, email.to) == ("email", "Priti@example.org")
    # Priti's own number (her email matches hers as a leader), not Tom's.
    assert (text.channel, text.to) == ("text", "07700 900123")
    assert "was approved" in text.body
    assert text.reference == email.reference

    forget_stored_messages()
    change = _propose(admin, group, "Tots and Tea on Tuesdays")
    directory.listing_change_reject(change=change, user=manager, reason="Tuesday is full")
    text = OutboundMessage.objects.get(channel="text")
    assert text.to == "07700 900123"
    assert "not approved" in text.body
    assert "Tuesday is full" in text.body


def test_no_text_without_a_known_mobile(
    make_group: Callable[..., Any], make_user: Callable[..., User], manager: User
) -> None:
    admin = make_user(Role.COMMUNITY_GROUP_ADMIN, email="gail@example.org")
    # A landline as the group's contact, and leaders with other email addresses.
    group = make_group(
        user=admin,
        leaders=LEADERS,
        contact_email="gail@example.org",
        contact_phone="01493 000000",
        approve_by=manager,
    )
    assert group_admin_mobile(user=admin) == ""
    forget_stored_messages()
    directory.listing_change_approve(change=_propose(admin, group, "Tots and Tea"), user=manager)
    assert [message.channel for message in OutboundMessage.objects.all()] == ["email"]


def test_the_groups_contact_mobile_counts_when_it_is_the_admins_address(
    make_group: Callable[..., Any], make_user: Callable[..., User]
) -> None:
    admin = make_user(Role.COMMUNITY_GROUP_ADMIN, email="gail@example.org")
    make_group(user=admin, contact_email="GAIL@example.org", contact_phone="+44 7700 900789")
    assert group_admin_mobile(user=admin) == "+44 7700 900789"
    # Someone who runs no group has no number here.
    assert (
        group_admin_mobile(user=make_user(Role.COMMUNITY_GROUP_ADMIN, email="x@example.org")) == ""
    )
