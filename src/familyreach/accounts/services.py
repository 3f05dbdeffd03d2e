"""Writes for accounts: roles kept in step with `roles.py`, demo accounts created."""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from familyreach.accounts.models import User
from familyreach.accounts.roles import ROLE_PERMISSIONS, Role

DEMO_PASSWORD = "familyreach-demo"  # noqa: S105 (documented in the README; demo mode only)

DEMO_ACCOUNTS: tuple[tuple[str, Role, str], ...] = (
    ("demo-manager", Role.MANAGER, "Dana Manager (demo)"),
    ("demo-planner", Role.PLANNER, "Priya Planner (demo)"),
    ("demo-worker", Role.FAMILY_WORKER, "Will Worker (demo)"),
    ("demo-volunteer", Role.VOLUNTEER, "Val Volunteer (demo)"),
    ("demo-group", Role.COMMUNITY_GROUP_ADMIN, "Gita Group-admin (demo)"),
    ("demo-provider", Role.PROVIDER_MANAGER, "Pat Provider (demo)"),
)
# Where each demo account works (district code, every district). No district means no family
# access, so the accounts that see families are given one on purpose: the manager answers for
# the whole county (as a county-wide service manager would), the worker for Great Yarmouth,
# where the demo's named family and requests for support are.
DEMO_DISTRICTS: dict[str, tuple[str, bool]] = {
    "demo-manager": ("", True),
    "demo-worker": ("E07000145", False),
}


def roles_sync(*, using: str = "default") -> dict[str, int]:
    """Create a group per role and give it exactly the permissions listed in `roles.py`."""
    counts: dict[str, int] = {}
    with transaction.atomic(using=using):
        for role, wanted in ROLE_PERMISSIONS.items():
            counts[role.value] = _role_sync(role, wanted, using)
    return counts


def _role_sync(role: Role, wanted: set[str], using: str) -> int:
    group, _ = Group.objects.using(using).get_or_create(name=role.value)
    permissions = []
    for dotted in sorted(wanted):
        app_label, codename = dotted.split(".", 1)
        permission = (
            Permission.objects.using(using)
            .filter(content_type__app_label=app_label, codename=codename)
            .first()
        )
        if permission is not None:
            permissions.append(permission)
    group.permissions.set(permissions)
    return len(permissions)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: Role,
    display_name: str = "",
    email: str = "",
    district_code: str = "",
    is_demo_account: bool = False,
) -> User:
    user = User(
        username=username,
        display_name=display_name,
        email=email,
        district_code=district_code,
        is_demo_account=is_demo_account,
        is_staff=False,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    user.groups.set([Group.objects.get_or_create(name=role.value)[0]])
    return user


@transaction.atomic
def demo_accounts_ensure() -> list[User]:
    """Create (or reset) the demo accounts. Safe to run any number of times."""
    if not settings.DEMO_MODE:
        raise PermissionError("Demo accounts can only be created when FAMILYREACH_DEMO_MODE is on.")
    roles_sync()
    users = []
    for username, role, display_name in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                display_name=display_name,
                is_demo_account=True,
            )
        else:
            user.set_password(DEMO_PASSWORD)
            user.is_demo_account = True
            user.is_active = True
            user.display_name = display_name
            user.save()
            user.groups.set([Group.objects.get(name=role.value)])
        user.district_code, user.all_districts = DEMO_DISTRICTS.get(username, ("", False))
        user.save(update_fields=["district_code", "all_districts"])
        users.append(user)
    return users
