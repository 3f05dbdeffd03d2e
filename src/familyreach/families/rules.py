"""Who may see which family record (object-level rules, with the `rules` package).

- A family worker or outreach worker sees families on their caseload, families booked on or
  attending sessions they run, and families they have visits with.
- A manager sees the families of their district (`user.district_code`), or of every district
  when their account says so on purpose (`user.all_districts`).
- No district means no family access: an account with neither a district nor `all_districts`
  opens no family record, whatever its role or relationships (docs/runbooks/security.md).
- Volunteers and volunteer coordinators never open family records: they see only first names
  on the registers of sessions they help at (see `delivery.selectors.volunteer_register`).
- Planners and community group admins see no family data at all.

`visible_families_filter` is the one definition; list pages filter with it and the predicates
test single records with it, so a list can never show what a record page would refuse.
"""

from typing import Any, cast

import rules
from django.db.models import Q

from familyreach.accounts.roles import Role

FAMILY_WORKER_ROLES = frozenset({Role.FAMILY_WORKER, Role.OUTREACH_WORKER})
VOLUNTEER_ROLES = frozenset({Role.VOLUNTEER, Role.VOLUNTEER_COORDINATOR})
# Roles that open family records (some of them, by relationship or district).
FAMILY_RECORD_ROLES = FAMILY_WORKER_ROLES | {Role.MANAGER}


def visible_families_filter(user: Any) -> Q | None:
    """A filter on Family for the records `user` may open, or None for none at all."""
    from familyreach.families.models import Case
    from familyreach.families.signals import family_worker_links

    if user is None or not user.is_authenticated:
        return None
    if user.is_superuser:
        return Q()
    if user.district_scope == "":
        return None  # no district, and not county-wide on purpose: no family access
    roles = user.roles
    conditions: list[Q] = []
    if Role.MANAGER in roles:
        conditions.append(user.in_district_filter("district"))
    if roles & FAMILY_WORKER_ROLES:
        # Their open cases, and the families other apps say they work with (delivery: booked
        # on their sessions, on their registers, visited by them).
        link = Q(pk__in=Case.objects.filter(worker=user, closed_on=None).values("family_id"))
        for _receiver, response in family_worker_links.send(sender=Case, user=user):
            if response is not None:
                link |= cast(Q, response)
        conditions.append(link)
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return combined


@rules.predicate
def opens_family_records(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.roles & FAMILY_RECORD_ROLES))


@rules.predicate
def is_manager(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or Role.MANAGER in user.roles))


@rules.predicate
def can_see_family(user: Any, family: Any) -> bool:
    from familyreach.families.models import Family

    condition = visible_families_filter(user)
    if condition is None or family is None:
        return False
    return Family.objects.filter(condition, pk=family.pk).exists()


@rules.predicate
def family_is_open(user: Any, family: Any) -> bool:
    return family is not None and not family.is_archived and not family.is_anonymised


rules.add_rule("families.list_families", opens_family_records)
rules.add_rule("families.register_family", opens_family_records)
rules.add_rule("families.view_family", can_see_family)
rules.add_rule("families.change_family", can_see_family & family_is_open)
# Merging needs `change_family` on both records (the merge page fetches each with
# `family_for_change`): no rule of its own.
rules.add_rule("families.export_family", can_see_family)
# Erasure on request is a manager's decision; the retention rule runs from the shell.
rules.add_rule("families.erase_family", is_manager & can_see_family & family_is_open)
