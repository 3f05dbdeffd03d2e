import pytest
from django.contrib.auth.models import Group

from familyreach.accounts.roles import ROLE_PERMISSIONS, Role
from familyreach.accounts.services import roles_sync


@pytest.mark.django_db
def test_every_role_is_a_group_after_migrate() -> None:
    names = set(Group.objects.values_list("name", flat=True))
    assert {role.value for role in Role} <= names


@pytest.mark.django_db
def test_roles_sync_gives_each_group_exactly_its_listed_permissions() -> None:
    counts = roles_sync()
    for role in Role:
        group = Group.objects.get(name=role.value)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert granted <= ROLE_PERMISSIONS[role]
        assert len(granted) == counts[role.value]
