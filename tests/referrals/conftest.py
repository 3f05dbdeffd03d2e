"""The referrals test world: the directory's council and charity (Home-Start, whose listings a
community group admin keeps), a third organisation kept by another admin, a family worker with
a family on their caseload, and a service manager."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.directory import services as directory_services
from familyreach.directory.models import Organization, Service
from familyreach.families.models import Family
from familyreach.families.services import case_open
from familyreach.referrals import services
from familyreach.referrals.models import Referral
from tests.fixtures.directory import DirectoryWorld
from tests.fixtures.outbox import forget_stored_messages


@dataclass
class ReferralWorld:
    directory: DirectoryWorld
    worker: User
    group_admin: User
    other_admin: User
    manager: User
    family: Family
    charity_service: Service
    other_organization: Organization
    other_service: Service

    def refer(
        self, *, user: User | None = None, service: Service | None = None, **fields: Any
    ) -> Referral:
        values: dict[str, Any] = {
            "family_consent": True,
            "name": "Amy Smith",
            "contact_method": "email",
            "email": "amy@example.org",
            "reason": "Amy is finding the first months hard and would like a home visitor.",
        }
        values.update(fields)
        return services.referral_create(
            user=user or self.worker, service=service or self.charity_service, **values
        )


@pytest.fixture(autouse=True)
def empty_outbox() -> Iterator[None]:
    forget_stored_messages()
    return


@pytest.fixture
def referral_world(
    # The family's fixtures first: they make the districts the directory's then reuse.
    yarmouth_family: Family,
    norwich_area: Any,
    directory_world: DirectoryWorld,
    make_user: Callable[..., User],
    family_worker: User,
    manager: User,
) -> ReferralWorld:
    family_worker.email = "will@council.example.org"
    family_worker.save()
    manager.email = "dana@council.example.org"
    manager.save()
    group_admin = make_user(
        Role.COMMUNITY_GROUP_ADMIN, username="gina-group", email="gina@home-start.example.org"
    )
    directory_world.charity.editors.add(group_admin)
    other_admin = make_user(
        Role.COMMUNITY_GROUP_ADMIN, username="otto-other", email="otto@other.example.org"
    )
    other = directory_services.organization_upsert(
        source="test",
        source_reference="other-charity",
        name="Another charity (test)",
        description="Someone else's organisation.",
    )
    other.editors.add(other_admin)
    other_service = directory_services.service_upsert(
        source="test",
        source_reference="other-charity-service",
        organization=other,
        name="Another charity's drop-in",
        description="A drop-in.",
        categories=["family-support"],
    )
    case_open(user=None, family=yarmouth_family, worker=family_worker)
    charity_service = Service.objects.filter(organization=directory_world.charity).first()
    assert charity_service is not None
    return ReferralWorld(
        directory=directory_world,
        worker=family_worker,
        group_admin=group_admin,
        other_admin=other_admin,
        manager=manager,
        family=yarmouth_family,
        charity_service=charity_service,
        other_organization=other,
        other_service=other_service,
    )
