"""The demo accounts can refer and answer: `demo-worker` refers a family to the first simulated
community group, whose admin `demo-group` answers for its organisation (the community demo makes
them its admin, and publishing the group makes them its organisation's editor)."""

from io import StringIO
from typing import Any

import pytest

from familyreach.accounts.roles import Role
from familyreach.community import demo
from familyreach.community.models import CommunityGroup
from familyreach.directory.models import Service
from familyreach.referrals import selectors, services
from familyreach.referrals.models import ReferralStatus

pytestmark = pytest.mark.django_db


def test_demo_worker_refers_to_demo_groups_organisation(
    ready_for_the_community_demo: None, make_user: Any
) -> None:
    worker = make_user(Role.FAMILY_WORKER, username="demo-worker", district_code="E07000145")
    group_admin = make_user(Role.COMMUNITY_GROUP_ADMIN, username="demo-group")
    demo.load(StringIO())
    group = CommunityGroup.objects.filter(admins=group_admin).get()
    service = Service.objects.filter(organization__editors=group_admin).get()
    assert service.name == group.name
    assert selectors.user_can_refer_to_service(user=worker, service=service)
    referral = services.referral_create(
        user=worker,
        service=service,
        family_consent=True,
        name="Sam Example",
        contact_method="email",
        email="sam@example.org",
        reason="Would like to meet other parents.",
        referrer_organization=None,
    )
    assert selectors.new_referrals_count(user=group_admin) == 1
    accepted = services.referral_accept(referral=referral, user=group_admin)
    assert accepted.status == ReferralStatus.ACCEPTED
