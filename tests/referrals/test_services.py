"""Referral services: making one (consent, access to the family's record, not to your own
organisation), opening, accepting, declining with a reason, and who may act on which referral.
The family is told through the outbox at each step, by the way they chose."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from familyreach.directory.models import ListingStatus
from familyreach.families.services import family_anonymise
from familyreach.outbox.models import Channel
from familyreach.referrals import services
from familyreach.referrals.models import Referral, ReferralStatus
from tests.fixtures.outbox import forget_stored_messages, stored_messages
from tests.fixtures.referrals import ReferralWorld

pytestmark = pytest.mark.django_db


def test_a_worker_refers_a_family_and_the_family_and_the_organisation_are_told(
    referral_world: ReferralWorld,
) -> None:
    world = referral_world
    referral = world.refer(family=world.family, referrer_phone="01603 223000")
    assert referral.status == ReferralStatus.NEW
    assert referral.organization == world.directory.charity
    assert referral.created_by == world.worker
    assert referral.family == world.family
    assert referral.reference.startswith("R")
    assert len(referral.reference) == 8
    messages = stored_messages()
    to_family = [m for m in messages if m.to == "amy@example.org"]
    assert len(to_family) == 1
    assert to_family[0].channel == Channel.EMAIL
    assert world.charity_service.name in to_family[0].body
    assert to_family[0].kind == "referral"
    # The organisation: its published email and the admin who keeps its listings, with a link
    # and no family details.
    to_staff = {m.to: m for m in messages if m.to != "amy@example.org"}
    assert set(to_staff) == {"hello@home-start.example.org", "gina@home-start.example.org"}
    for message in to_staff.values():
        assert "Amy" not in message.body
        assert "home visitor" not in message.body
        assert str(referral.pk) in message.body
    # The write is audited with its actor.
    entry = LogEntry.objects.get_for_object(referral).get(action=LogEntry.Action.CREATE)
    assert entry.actor == world.worker


def test_a_text_or_phone_family_is_told_by_text(referral_world: ReferralWorld) -> None:
    referral_world.refer(contact_method="phone", email="", phone="07700 900982")
    (message,) = [m for m in stored_messages() if m.to == "07700 900982"]
    assert message.channel == Channel.TEXT


def test_no_referral_without_the_familys_consent(referral_world: ReferralWorld) -> None:
    with pytest.raises(ValidationError) as error:
        referral_world.refer(family_consent=False)
    assert "permission" in str(error.value)
    assert Referral.objects.count() == 0
    assert stored_messages() == []


def test_no_link_to_a_family_the_referrer_cannot_see(
    referral_world: ReferralWorld, norwich_family: object
) -> None:
    with pytest.raises(PermissionDenied):
        referral_world.refer(family=norwich_family)
    assert Referral.objects.count() == 0


def test_no_referral_to_your_own_organisation_or_one_nobody_answers_for(
    referral_world: ReferralWorld,
) -> None:
    world = referral_world
    # The group admin keeps the charity's listings: they would be accepting their own referral.
    with pytest.raises(PermissionDenied):
        world.refer(user=world.group_admin)
    # A manager answers for the council's services.
    with pytest.raises(PermissionDenied):
        world.refer(user=world.manager, service=world.directory.stay_and_play)
    world.other_organization.editors.clear()
    with pytest.raises(PermissionDenied):
        world.refer(service=world.other_service)
    world.charity_service.status = ListingStatus.DEFUNCT
    world.charity_service.save()
    with pytest.raises(PermissionDenied):
        world.refer()


def test_a_group_admin_refers_to_the_council_from_their_own_organisation(
    referral_world: ReferralWorld,
) -> None:
    world = referral_world
    referral = world.refer(
        user=world.group_admin,
        service=world.directory.stay_and_play,
        referrer_organization=world.directory.charity,
    )
    assert referral.referrer_organization == world.directory.charity
    # The council publishes no email here: its managers are told.
    assert "dana@council.example.org" in {m.to for m in stored_messages()}
    with pytest.raises(PermissionDenied):
        world.refer(
            user=world.group_admin,
            service=world.directory.stay_and_play,
            referrer_organization=world.other_organization,
        )


def test_open_then_accept(referral_world: ReferralWorld) -> None:
    world = referral_world
    referral = world.refer()
    forget_stored_messages()
    opened = services.referral_open(referral=referral, user=world.group_admin)
    assert opened.status == ReferralStatus.OPENED
    assert opened.opened_by == world.group_admin
    assert stored_messages() == []  # opening tells no one
    accepted = services.referral_accept(referral=opened, user=world.group_admin)
    assert accepted.status == ReferralStatus.ACCEPTED
    assert accepted.decided_by == world.group_admin
    recipients = {m.to: m for m in stored_messages()}
    assert "accepted" in recipients["amy@example.org"].body
    assert "accepted" in recipients["will@council.example.org"].subject
    with pytest.raises(ValidationError):
        services.referral_decline(referral=accepted, user=world.group_admin, reason="Too late")


def test_decline_needs_a_reason_which_the_family_is_told(referral_world: ReferralWorld) -> None:
    world = referral_world
    referral = world.refer()
    forget_stored_messages()
    with pytest.raises(ValidationError):
        services.referral_decline(referral=referral, user=world.group_admin, reason="  ")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.NEW
    assert stored_messages() == []
    declined = services.referral_decline(
        referral=referral, user=world.group_admin, reason="Our group is full until March."
    )
    assert declined.status == ReferralStatus.DECLINED
    assert declined.decline_reason == "Our group is full until March."
    (to_family,) = [m for m in stored_messages() if m.to == "amy@example.org"]
    assert "full until March" in to_family.body


@pytest.mark.parametrize("who", ["worker", "other_admin", "manager"])
def test_no_one_acts_on_another_organisations_referral(
    referral_world: ReferralWorld, who: str
) -> None:
    world = referral_world
    referral = world.refer()
    user = getattr(world, who)
    for act in (
        lambda: services.referral_open(referral=referral, user=user),
        lambda: services.referral_accept(referral=referral, user=user),
        lambda: services.referral_decline(referral=referral, user=user, reason="No"),
    ):
        with pytest.raises(PermissionDenied):
            act()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.NEW


def test_anonymising_the_family_erases_its_referrals_details(
    referral_world: ReferralWorld,
) -> None:
    world = referral_world
    referral = world.refer(family=world.family)
    family_anonymise(user=world.manager, family=world.family, reason="Asked to be forgotten")
    referral.refresh_from_db()
    assert referral.name == "(anonymised)"
    assert referral.email == ""
    assert "home visitor" not in referral.reason
    assert referral.status == ReferralStatus.NEW  # still countable


def test_a_service_named_after_its_group_is_named_once() -> None:
    from familyreach.directory.models import Organization, Service
    from familyreach.referrals.models import Referral

    group = Organization(name="Tots and Tea")
    same = Referral(service=Service(name="Tots and Tea", organization=group), organization=group)
    other = Referral(service=Service(name="Baby group", organization=group), organization=group)
    assert same.service_and_provider == "Tots and Tea"
    assert other.service_and_provider == "Baby group (Tots and Tea)"
