"""Staff and volunteer accounts. Families do not sign in with these accounts."""

from django.contrib.auth.models import AbstractUser
from django.db import models

from familyreach.accounts.roles import ROLES_WITH_FAMILY_DATA, Role


class User(AbstractUser):
    """A member of staff, a volunteer or a community group admin.

    The role is the user's group (see `roles.py`); `district_code` ties managers and workers to
    a district for object-level rules (blank means county-wide).
    """

    display_name = models.CharField(max_length=150, blank=True)
    district_code = models.CharField(
        max_length=9,
        blank=True,
        help_text="ONS code of the district the user works in; blank for county-wide.",
    )
    is_demo_account = models.BooleanField(
        default=False,
        help_text="Demo accounts can sign in only when the service runs in demo mode.",
    )

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def roles(self) -> set[Role]:
        names = {group.name for group in self.groups.all()}
        return {role for role in Role if role.value in names}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    @property
    def can_see_family_data(self) -> bool:
        return self.is_superuser or bool(self.roles & ROLES_WITH_FAMILY_DATA)
