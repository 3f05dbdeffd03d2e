"""Referral pages: who may open which, 404 for someone else's referral, audited reads, the
form's errors, answering, the family's record and the count of new referrals."""

from collections.abc import Callable
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.referrals.models import Referral, ReferralStatus
from tests.fixtures.referrals import ReferralWorld

pytestmark = pytest.mark.django_db

FORM = {
    "family_consent": "yes",
    "name": "Amy Smith",
    "contact_method": "text",
    "phone": "07700 900982",
    "reason": "Needs help with sleep and routines.",
    "engage_with_family": "Weekday mornings; text first.",
}


def _accesses(referral: Referral, user: Any) -> int:
    return (
        LogEntry.objects.get_for_object(referral)
        .filter(action=LogEntry.Action.ACCESS, actor=user)
        .count()
    )


def test_the_service_page_offers_refer_a_family_only_to_those_who_may(
    referral_world: ReferralWorld,
    client: Client,
    make_user: Any,
    signed_in: Callable[[User], Client],
) -> None:
    world = referral_world
    path = reverse("directory:service", args=[world.charity_service.pk])
    assert "Refer a family" not in client.get(path).content.decode()  # anonymous
    assert "Refer a family" in signed_in(world.worker).get(path).content.decode()
    # The group admin keeps this charity's listings; a planner does not work with families.
    assert "Refer a family" not in signed_in(world.group_admin).get(path).content.decode()
    planner = make_user(Role.PLANNER)
    assert "Refer a family" not in signed_in(planner).get(path).content.decode()


def test_the_form_needs_consent_and_contact_details(
    referral_world: ReferralWorld, signed_in: Callable[[User], Client]
) -> None:
    world = referral_world
    client = signed_in(world.worker)
    path = reverse("referrals:new", args=[world.charity_service.pk])
    page = client.post(path, {**FORM, "family_consent": "no", "phone": ""}).content.decode()
    assert "There is a problem" in page
    assert "You can only refer a family with their permission" in page
    assert "Enter the family&#39;s phone number" in page
    assert Referral.objects.count() == 0


def test_a_worker_refers_linking_a_family_they_can_see_only(
    referral_world: ReferralWorld, norwich_family: Any, signed_in: Callable[[User], Client]
) -> None:
    world = referral_world
    client = signed_in(world.worker)
    path = reverse("referrals:new", args=[world.charity_service.pk])
    page = client.post(path, {**FORM, "family_record": norwich_family.pk}).content.decode()
    assert "Enter the number of a family record you can open" in page
    assert Referral.objects.count() == 0
    response = client.post(path, {**FORM, "family_record": world.family.pk})
    referral = Referral.objects.get()
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])
    assert referral.family == world.family
    assert referral.created_by == world.worker
    # The family's record shows the referral, to someone who may see the family.
    record = client.get(reverse("families:detail", args=[world.family.pk])).content.decode()
    assert "Referrals to other organisations" in record
    assert referral.reference in record
    assert _accesses(referral, world.worker) >= 1


def test_the_admin_sees_the_count_opens_and_accepts_and_the_worker_sees_accepted(
    referral_world: ReferralWorld,
    signed_in: Callable[[User], Client],
) -> None:
    world = referral_world
    referral = world.refer()
    admin = signed_in(world.group_admin)
    landing = admin.get("/staff/").content.decode()
    assert "Referrals (1 new)" in landing
    inbox = admin.get(reverse("referrals:inbox")).content.decode()
    assert referral.reference in inbox
    assert "New: 1" in inbox
    detail = reverse("referrals:detail", args=[referral.pk])
    page = admin.get(detail).content.decode()
    assert "Amy Smith" in page
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.OPENED
    assert _accesses(referral, world.group_admin) >= 2  # the inbox row and the page
    # Declining without a reason is sent back with an error.
    page = admin.post(detail, {"decision": "decline"}).content.decode()
    assert "Enter the reason for declining" in page
    response = admin.post(detail, {"decision": "accept"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    sent = signed_in(world.worker).get(reverse("referrals:sent")).content.decode()
    assert referral.reference in sent
    assert "Accepted" in sent


def test_others_referrals_are_not_found_and_the_referrer_cannot_answer(
    referral_world: ReferralWorld,
    signed_in: Callable[[User], Client],
) -> None:
    world = referral_world
    referral = world.refer()
    detail = reverse("referrals:detail", args=[referral.pk])
    for user in (world.other_admin, world.manager):
        assert signed_in(user).get(detail).status_code == 404
        assert signed_in(user).post(detail, {"decision": "accept"}).status_code == 404
        assert _accesses(referral, user) == 0
        assert (
            referral.reference
            not in signed_in(user).get(reverse("referrals:inbox")).content.decode()
        )
    worker = signed_in(world.worker)
    page = worker.get(detail)
    assert page.status_code == 200
    assert "Send answer" not in page.content.decode()
    assert worker.post(detail, {"decision": "accept"}).status_code == 403
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.NEW  # the referrer's look did not open it


@pytest.mark.parametrize("role", [Role.PLANNER, Role.VOLUNTEER, Role.VOLUNTEER_COORDINATOR])
def test_roles_that_do_not_work_with_referrals_are_refused(
    referral_world: ReferralWorld, make_user: Any, role: Role, signed_in: Callable[[User], Client]
) -> None:
    referral = referral_world.refer()
    client = signed_in(make_user(role))
    for path in (
        reverse("referrals:inbox"),
        reverse("referrals:sent"),
        reverse("referrals:new", args=[referral_world.charity_service.pk]),
        reverse("referrals:detail", args=[referral.pk]),
    ):
        assert client.get(path).status_code == 403, path


def test_anonymous_visitors_are_sent_to_sign_in(
    referral_world: ReferralWorld, client: Client
) -> None:
    response = client.get(reverse("referrals:inbox"))
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/sign-in")
