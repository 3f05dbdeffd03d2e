"""Staff and volunteer accounts. Families do not sign in with these accounts."""

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from familyreach.accounts.roles import Role


class User(AbstractUser):
    """A member of staff, a volunteer or a community group admin.

    The role is the user's group (see `roles.py`); `district_code` ties managers and workers to
    a district for object-level rules. County-wide access is never the default: it takes
    `all_districts`, set on purpose. A blank district without it means no family records at all
    (an account created in a hurry fails closed, not open to the whole county).
    """

    display_name = models.CharField(max_length=150, blank=True)
    district_code = models.CharField(
        max_length=9,
        blank=True,
        help_text=(
            "ONS code of the district the user works in. Blank (and not all districts) means "
            "no access to families or requests for support."
        ),
    )
    all_districts = models.BooleanField(
        default=False,
        help_text=(
            "County-wide: sees families and requests for support in every district (for "
            "county-wide managers). Never implied by a blank district."
        ),
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
    def district_scope(self) -> str | None:
        """Which districts' families this account works with: None for every district (a
        superuser, or `all_districts` set on purpose), a district code, or "" for none."""
        if self.is_superuser or self.all_districts:
            return None
        return self.district_code

    def in_district_filter(self, district_path: str) -> Q:
        """A filter keeping rows whose district (reached by `district_path`, e.g. "district" or
        "session__venue__district") is one this account works with: everything for every
        district, nothing at all without a district."""
        scope = self.district_scope
        if scope is None:
            return Q()
        if not scope:
            return Q(pk__in=[])
        return Q(**{f"{district_path}__code": scope})

    def works_in_district(self, district: Any) -> bool:
        """Whether a record in `district` (a District or None) is in this account's scope."""
        scope = self.district_scope
        if scope is None:
            return True
        return bool(scope) and district is not None and district.code == scope
