"""The roles staff and volunteers hold, and what each may do.

Roles are Django groups. Object-level rules (which family, which district) live in each app's
`rules.py`; this module says only which model permissions each role carries. Apps add their
permissions here as they are built, so one file answers "what can a planner do?".
"""

from enum import StrEnum


class Role(StrEnum):
    MANAGER = "manager"
    PLANNER = "planner"
    FAMILY_WORKER = "family_worker"
    OUTREACH_WORKER = "outreach_worker"
    VOLUNTEER_COORDINATOR = "volunteer_coordinator"
    VOLUNTEER = "volunteer"
    COMMUNITY_GROUP_ADMIN = "community_group_admin"
    PROVIDER_MANAGER = "provider_manager"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.MANAGER: "Service manager",
    Role.PLANNER: "Commissioner or planner",
    Role.FAMILY_WORKER: "Family support worker",
    Role.OUTREACH_WORKER: "Outreach worker",
    Role.VOLUNTEER_COORDINATOR: "Volunteer coordinator",
    Role.VOLUNTEER: "Peer supporter (volunteer)",
    Role.COMMUNITY_GROUP_ADMIN: "Community group admin",
    Role.PROVIDER_MANAGER: "Provider's contract manager",
}

# "app_label.codename" per role. Codenames that do not exist yet (an app not installed) are
# skipped by `roles_sync`, so this list can run ahead of the code.
ROLE_PERMISSIONS: dict[Role, set[str]] = {
    Role.MANAGER: {"consult.analyse_consultation"},
    Role.PLANNER: {"consult.analyse_consultation"},
    Role.FAMILY_WORKER: set(),
    Role.OUTREACH_WORKER: set(),
    Role.VOLUNTEER_COORDINATOR: set(),
    Role.VOLUNTEER: set(),
    Role.COMMUNITY_GROUP_ADMIN: set(),
    Role.PROVIDER_MANAGER: set(),
}


# geo: planners and managers see the areas page (need, deprivation, venues).
ROLE_PERMISSIONS[Role.MANAGER] |= {"geo.view_area", "geo.view_venue", "geo.view_district"}
ROLE_PERMISSIONS[Role.PLANNER] |= {"geo.view_area", "geo.view_venue", "geo.view_district"}

# directory: the views check roles and relationships themselves (see
# directory/services.py and selectors.py); these model permissions mirror them for the admin.
ROLE_PERMISSIONS[Role.MANAGER] |= {
    "directory.add_service",
    "directory.change_service",
    "directory.change_listingchange",
    "directory.add_advicearticle",
    "directory.change_advicearticle",
    "directory.view_supportrequest",
    "directory.change_supportrequest",
}
ROLE_PERMISSIONS[Role.FAMILY_WORKER] |= {
    "directory.view_supportrequest",
    "directory.change_supportrequest",
}
ROLE_PERMISSIONS[Role.COMMUNITY_GROUP_ADMIN] |= {"directory.add_listingchange"}

# Community: coordinators and managers run peer support, groups and rooms; volunteers
# and group admins raise safeguarding concerns. What a volunteer or group admin may see beyond
# that is decided per record in `community/selectors.py` (their own matches, their own group).
COMMUNITY_COORDINATION = {
    "community.manage_volunteers",
    "community.manage_matches",
    "community.raise_concern",
    "community.review_concerns",
    "community.manage_groups",
    "community.manage_rooms",
}
ROLE_PERMISSIONS[Role.MANAGER] |= COMMUNITY_COORDINATION
ROLE_PERMISSIONS[Role.VOLUNTEER_COORDINATOR] |= COMMUNITY_COORDINATION
ROLE_PERMISSIONS[Role.VOLUNTEER] |= {"community.raise_concern"}
ROLE_PERMISSIONS[Role.COMMUNITY_GROUP_ADMIN] |= {"community.raise_concern"}


def role_permissions(role: Role) -> set[str]:
    return ROLE_PERMISSIONS[role]


# Planning (familyreach.planning): planners and managers build, run, compare and adopt scenarios.
_PLANNING_PERMISSIONS = {
    "planning.view_scenario",
    "planning.add_scenario",
    "planning.change_scenario",
    "planning.view_scenariorun",
}
ROLE_PERMISSIONS[Role.PLANNER] |= _PLANNING_PERMISSIONS
ROLE_PERMISSIONS[Role.MANAGER] |= _PLANNING_PERMISSIONS

# Insight (familyreach.insight): managers and planners see reach dashboards and exports.
ROLE_PERMISSIONS[Role.MANAGER] |= {"insight.view_reach"}
ROLE_PERMISSIONS[Role.PLANNER] |= {"insight.view_reach"}

# Commissioning (docs/commissioning.md): managers and commissioners (planners) read
# every contract and return; the commissioner agrees, queries and signs returns off; a
# provider's manager prepares and submits the returns of the contracts they are named on
# (checked per contract in commissioning/selectors.py). No role here sees family records.
ROLE_PERMISSIONS[Role.MANAGER] |= {
    "commissioning.view_contract",
    "commissioning.view_quarterlyreturn",
}
ROLE_PERMISSIONS[Role.PLANNER] |= {
    "commissioning.view_contract",
    "commissioning.view_quarterlyreturn",
    "commissioning.sign_off_return",
}
ROLE_PERMISSIONS[Role.PROVIDER_MANAGER] |= {"commissioning.prepare_return"}
