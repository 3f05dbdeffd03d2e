"""What needs a service manager today: one page gathering what other parts of the service
already know (each through its own selector), each item linking to where it is dealt with.

Nothing is worked out here: the reach figure is the dashboard's (`insight.figures`), failed
jobs are /healthz's (`operations.selectors.failed_jobs`), and so on, so the numbers agree with
the pages the links lead to.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.urls import reverse

from familyreach.accounts.roles import Role
from familyreach.community.selectors import expiries_upcoming
from familyreach.directory.selectors import (
    listing_changes_pending,
    support_requests_new_count,
    support_requests_open_for_user,
)
from familyreach.insight import figures
from familyreach.operations import selectors as operations


def shows_today(user: Any) -> bool:
    """Managers land on this page; everyone else on their week or the start page."""
    return bool(user.is_authenticated and user.has_role(Role.MANAGER))


@dataclass(frozen=True)
class Item:
    """One thing to deal with: a count, what it is in words, and where to deal with it."""

    key: str
    title: str
    count: int
    summary: str
    link_text: str
    href: str
    details: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Reach:
    figure: str  # as the dashboard shows it ("62.1 %", or "[c]" when suppressed)
    value: float | None
    target: float | None  # percent
    window_months: int
    as_of: date
    href: str

    @property
    def below_target(self) -> bool:
        return self.value is not None and self.target is not None and self.value * 100 < self.target


@dataclass(frozen=True)
class Today:
    items: list[Item]
    reach: Reach | None

    @property
    def waiting(self) -> int:
        return sum(1 for item in self.items if item.count)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _requests(user: Any) -> Item | None:
    new = support_requests_new_count(user=user)
    if new is None:
        return None
    not_contacted = support_requests_open_for_user(user=user).filter(contacted_at=None).count()
    return Item(
        key="requests",
        title="Requests for support",
        count=new,
        summary=f"{_plural(new, 'new request', 'new requests')} for support; "
        f"{not_contacted} waiting for the family to be contacted (within 5 working days).",
        link_text="Deal with requests for support",
        href=reverse("families:requests"),
    )


def _approvals() -> Item | None:
    pending = list(listing_changes_pending())
    return Item(
        key="approvals",
        title="Listing changes to approve",
        count=len(pending),
        summary=f"{_plural(len(pending), 'change', 'changes')} to directory listings proposed by "
        "community groups, waiting for your approval.",
        link_text="Review listing changes",
        href=reverse("directory:staff-changes"),
        details=[
            f"{change.service.name if change.service else 'A new listing'} "
            f"({change.organization.name})"
            for change in pending[:5]
        ],
    )


def _expiring_checks(on: date) -> Item | None:
    within = settings.FAMILYREACH_TODAY_EXPIRY_DAYS
    expiries = expiries_upcoming(on=on, within_days=within)
    return Item(
        key="checks",
        title="Volunteers' checks expiring",
        count=len(expiries),
        summary=f"{_plural(len(expiries), 'DBS recheck or training', 'DBS rechecks or training')}"
        f" of peer supporters expired or expiring within {within} days.",
        link_text="See expiring checks",
        href=reverse("community:expiries"),
        details=[
            f"{expiry.supporter.first_name}: {expiry.what}, "
            + (
                f"expired {expiry.expires_on:%-d %B}"
                if expiry.days_left < 0
                else f"due {expiry.expires_on:%-d %B}"
            )
            for expiry in expiries[:5]
        ],
    )


def _failed_jobs() -> Item:
    failed = operations.failed_jobs()
    return Item(
        key="jobs",
        title="Scheduled jobs that failed",
        count=len(failed),
        summary=f"{_plural(len(failed), 'scheduled job', 'scheduled jobs')} whose latest run "
        "failed.",
        link_text="See scheduled jobs",
        href=reverse("operations:jobs"),
        details=failed,
    )


def _reach() -> Reach | None:
    report = figures.county_report()
    if report is None:
        return None
    # The one definition of seen reach, as the dashboard and the plan-effect page show it.
    reach = figures.seen_reach(report)
    return Reach(
        figure=reach.text,
        value=reach.value,
        target=settings.FAMILYREACH_REACH_TARGET_PERCENT,
        window_months=reach.window_months,
        as_of=reach.as_of,
        href=reverse("insight:dashboard"),
    )


def manager_today(*, user: Any, on: date) -> Today:
    items = [
        item
        for item in (_requests(user), _approvals(), _expiring_checks(on), _failed_jobs())
        if item is not None
    ]
    return Today(items=items, reach=_reach())
