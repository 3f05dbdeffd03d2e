"""Staff users. `make_user` (tests/conftest.py) is the usual way in: it gives a user a role."""

import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role

STAFF_PASSWORD = "a-long-test-password-for-staff"


class UserFactory(DjangoModelFactory[User]):
    """`UserFactory(role=Role.PLANNER)`: a user who signs in with STAFF_PASSWORD."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda number: f"user-{number}")
    password = factory.django.Password(STAFF_PASSWORD)

    @factory.post_generation
    def role(user: User, create: bool, role: Role | None) -> None:
        if create and role is not None:
            user.groups.add(Group.objects.get_or_create(name=role.value)[0])
