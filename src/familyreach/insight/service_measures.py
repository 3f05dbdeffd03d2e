"""Two headline measures of the service over a period (by default the three months to the
reach figures' date), computed here once: the reach pages show them and contract returns read
them (`commissioning/measures.py`), so a return's figure is the page's figure.

- **Time from a request for support to first contact.** A request is a family's own request
  (the directory's `SupportRequest`, the "Request support" form) or a referral made for a family
  with a record (answered by the referrals app through `directory.signals`), made in the period
  and not declined. Its first contact is the earliest of: the day a worker recorded the family
  as contacted on the request, and the first recorded contact with the family (a session
  attendance, home visit, one-to-one or phone call: `families.Contact`) on or after the request's
  day, counted only up to the period's end (so a figure as at a date never changes later).
  Shown: the median days, over requests contacted, and the share contacted within the target
  (`INSIGHT_FIRST_CONTACT_TARGET_DAYS`), over requests contacted or whose target day has passed
  (a request still inside its target is not yet a success or a failure).
- **Peer-led share of sessions.** Sessions held in the period: the service's own sessions
  (delivery's occurrences, not cancelled) and the meetings of peer-led community groups
  (answered by the community app through `directory.signals`). The share is the groups'
  meetings ÷ all sessions held.

Both split by district and by the IDACI decile of the area (the family's area for requests,
the venue's for sessions), as insight's other tables. Requests are about families, so small
numbers are hidden as elsewhere (`disclosure.protect`, primary and secondary over the totals
and their splits); sessions are public listings and are not.
"""

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import cast

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone

from familyreach.delivery.models import Contact, Occurrence, OccurrenceStatus
from familyreach.directory.models import RequestStatus, SupportRequest
from familyreach.directory.signals import peer_led_meetings_held, requests_for_support_made
from familyreach.families.models import Family
from familyreach.geo.models import Area
from familyreach.insight import tables
from familyreach.insight.disclosure import MARK, protect

FIRST_CONTACT_MEDIAN_NAME = "Time from request for support to first contact"
FIRST_CONTACT_WITHIN_NAME = "Requests for support contacted within the target"
PEER_LED_NAME = "Peer-led share of sessions"


def three_months_to(as_of: date) -> tuple[date, date]:
    """The period the measures cover: the three months ending on `as_of` (a quarter when
    `as_of` is a quarter's last day: 30 June gives 1 April to 30 June)."""
    return as_of + relativedelta(days=1) - relativedelta(months=3), as_of


def days_text(value: float | None) -> str:
    if value is None:
        return "–"
    shown = f"{value:.1f}".removesuffix(".0")
    return f"{shown} day" if shown == "1" else f"{shown} days"


# --- Requests for support --------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    requested_on: date
    district_id: int | None
    decile: int | None  # IDACI decile of the family's area
    days: int | None  # to first contact, None when not contacted by the period's end


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def requests_in(*, start: date, end: date) -> list[Request]:
    """Every request for support made from `start` to `end`, with its days to first contact."""
    low, high = _bounds(start, end)
    # (requested_on, family_id or None, district_id, contacted_on recorded on the request)
    made: list[tuple[date, int | None, int | None, date | None]] = [
        (
            timezone.localdate(row.created_at),
            row.family_record_id,
            row.district_id,
            timezone.localdate(row.contacted_at) if row.contacted_at else None,
        )
        for row in SupportRequest.objects.filter(created_at__gte=low, created_at__lt=high)
        .exclude(status=RequestStatus.DECLINED)
        .only("created_at", "family_record_id", "district_id", "contacted_at")
    ]
    for _receiver, answer in requests_for_support_made.send(sender=None, start=start, end=end):
        referred = cast(list[tuple[date, int, int | None]], answer)
        made.extend((on, family_id, district_id, None) for on, family_id, district_id in referred)

    family_ids = {family_id for _, family_id, _, _ in made if family_id is not None}
    contact_days: dict[int, list[date]] = {}
    for contacted_family, on in (
        Contact.objects.filter(family_id__in=family_ids, date__gte=start, date__lte=end)
        .order_by("date")
        .values_list("family_id", "date")
    ):
        contact_days.setdefault(contacted_family, []).append(on)
    family_areas = dict(
        Family.objects.filter(pk__in=family_ids).values_list("pk", "area__idaci_decile")
    )

    found = []
    for requested_on, family_id, district_id, recorded_on in made:
        candidates = [recorded_on] if recorded_on and requested_on <= recorded_on <= end else []
        candidates += [on for on in contact_days.get(family_id or 0, []) if on >= requested_on][:1]
        first = min(candidates, default=None)
        found.append(
            Request(
                requested_on=requested_on,
                district_id=district_id,
                decile=family_areas.get(family_id) if family_id else None,
                days=(first - requested_on).days if first else None,
            )
        )
    return found


@dataclass(frozen=True)
class FirstContact:
    """Time to first contact for one scope (the county, a district, a decile)."""

    requests: int
    days: tuple[int, ...]  # each contacted request's days to first contact
    within: int  # contacted within the target
    judged: int  # contacted, or past the target day without contact
    target_days: int
    hidden_median: bool
    hidden_share: bool

    @property
    def median_days(self) -> float | None:
        if self.hidden_median or not self.days:
            return None
        return float(statistics.median(self.days))

    @property
    def median_text(self) -> str:
        return MARK if self.hidden_median else days_text(self.median_days)

    @property
    def share_within(self) -> float | None:
        if self.hidden_share or not self.judged:
            return None
        return self.within / self.judged

    @property
    def share_text(self) -> str:
        if self.hidden_share:
            return MARK
        return tables.percent(self.share_within)


ALL = "all"  # in a table key: every district, or every decile
type Scope = tuple[int | str | None, int | str | None]  # (district id, IDACI decile)


def first_contact_of(
    requests: Iterable[Request],
    *,
    end: date,
    target_days: int,
    hidden_median: bool = False,
    hidden_share: bool = False,
) -> FirstContact:
    chosen = list(requests)
    within = sum(1 for r in chosen if r.days is not None and r.days <= target_days)
    judged = sum(
        1 for r in chosen if r.days is not None or (end - r.requested_on).days > target_days
    )
    return FirstContact(
        requests=len(chosen),
        days=tuple(r.days for r in chosen if r.days is not None),
        within=within,
        judged=judged,
        target_days=target_days,
        hidden_median=hidden_median,
        hidden_share=hidden_share,
    )


def first_contact_table(
    requests: Iterable[Request],
    *,
    end: date,
    target_days: int | None = None,
    threshold: int | None = None,
) -> dict[Scope, FirstContact]:
    """Time to first contact for the county, each district, each decile and each decile within
    each district, keyed `(district id or ALL, decile or ALL)`. Small numbers are hidden once
    over all of them, as insight hides its tables (`disclosure.protect`): a count of requests,
    or of requests within or not within the target, from 1 to below the threshold is hidden,
    and more are hidden so that no split gives a hidden count away by subtraction."""
    target = settings.INSIGHT_FIRST_CONTACT_TARGET_DAYS if target_days is None else target_days
    limit = settings.INSIGHT_SUPPRESSION_THRESHOLD if threshold is None else threshold
    requests = list(requests)
    districts = {r.district_id for r in requests}
    deciles = {r.decile for r in requests}
    members: dict[Scope, list[Request]] = {(ALL, ALL): requests}
    for request in requests:
        for key in (
            (request.district_id, ALL),
            (ALL, request.decile),
            (request.district_id, request.decile),
        ):
            members.setdefault(key, []).append(request)
    plain = {
        key: first_contact_of(chosen, end=end, target_days=target)
        for key, chosen in members.items()
    }
    kinds: dict[str, Callable[[FirstContact], int]] = {
        "requests": lambda f: f.requests,
        "within": lambda f: f.within,
        "not_within": lambda f: f.judged - f.within,
    }
    counts = {(key, kind): count(f) for key, f in plain.items() for kind, count in kinds.items()}
    splits: list[tuple[Scope, list[Scope]]] = [
        ((ALL, ALL), [(d, ALL) for d in districts]),
        ((ALL, ALL), [(ALL, c) for c in deciles]),
    ]
    for district in districts:
        splits.append(
            ((district, ALL), [(district, c) for c in deciles if (district, c) in members])
        )
    for decile in deciles:
        splits.append(((ALL, decile), [(d, decile) for d in districts if (d, decile) in members]))
    hidden = protect(
        counts,
        [
            ((total, kind), [(part, kind) for part in parts])
            for total, parts in splits
            for kind in kinds
        ],
        threshold=limit,
    )
    return {
        key: first_contact_of(
            members[key],
            end=end,
            target_days=target,
            hidden_median=(key, "requests") in hidden,
            hidden_share=bool({(key, "within"), (key, "not_within")} & hidden),
        )
        for key in members
    }


# --- Sessions held ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Held:
    held_on: date
    district_id: int | None
    decile: int | None  # IDACI decile of the venue's area
    peer_led: bool


def sessions_held(*, start: date, end: date) -> list[Held]:
    """Every session held from `start` to `end`: the service's own and peer-led groups'."""
    rows: list[tuple[date, int | None, int | None, bool]] = [
        (on, area_id, district_id, False)
        for on, area_id, district_id in Occurrence.objects.filter(date__gte=start, date__lte=end)
        .exclude(status=OccurrenceStatus.CANCELLED)
        .values_list("date", "session__venue__area_id", "session__venue__district_id")
    ]
    for _receiver, answer in peer_led_meetings_held.send(sender=None, start=start, end=end):
        meetings = cast(list[tuple[date, int | None, int | None]], answer)
        rows.extend((on, area_id, district_id, True) for on, area_id, district_id in meetings)
    area_ids = {area_id for _, area_id, _, _ in rows if area_id is not None}
    deciles = dict(Area.objects.filter(pk__in=area_ids).values_list("pk", "idaci_decile"))
    return [
        Held(
            held_on=on,
            district_id=district_id,
            decile=deciles.get(area_id) if area_id else None,
            peer_led=peer_led,
        )
        for on, area_id, district_id, peer_led in rows
    ]


@dataclass(frozen=True)
class PeerLed:
    sessions: int
    peer_led: int

    @property
    def share(self) -> float | None:
        return self.peer_led / self.sessions if self.sessions else None

    @property
    def text(self) -> str:
        share = self.share
        return "–" if share is None else tables.percent(share)


def peer_led_of(held: Iterable[Held]) -> PeerLed:
    chosen = list(held)
    return PeerLed(sessions=len(chosen), peer_led=sum(1 for item in chosen if item.peer_led))


# --- One scope, as the reach pages show it ---------------------------------------------------


@dataclass(frozen=True)
class ServiceMeasures:
    """The two measures for one page: the period, the scope's figures and its deciles."""

    start: date
    end: date
    first_contact: FirstContact
    first_contact_deciles: dict[int | None, FirstContact]
    peer_led: PeerLed
    peer_led_deciles: dict[int | None, PeerLed]

    @property
    def period_text(self) -> str:
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"


def _decile_order(decile: int | str | None) -> tuple[bool, int]:
    return (decile is None, decile if isinstance(decile, int) else 0)


def service_measures(
    *,
    start: date,
    end: date,
    district_id: int | None = None,
    requests: list[Request] | None = None,
    held: list[Held] | None = None,
) -> ServiceMeasures:
    """The measures for the county or one district, split by decile, as the reach pages show
    them. Pass `requests` and `held` to reuse one read of the records for many scopes."""
    requests = requests_in(start=start, end=end) if requests is None else requests
    held = sessions_held(start=start, end=end) if held is None else held
    table = first_contact_table(requests, end=end)
    scope: int | str = ALL if district_id is None else district_id
    if district_id is not None:
        held = [h for h in held if h.district_id == district_id]
    total = table.get(
        (scope, ALL),
        first_contact_of([], end=end, target_days=settings.INSIGHT_FIRST_CONTACT_TARGET_DAYS),
    )
    deciles = sorted(
        (key[1] for key in table if key[0] == scope and key[1] != ALL), key=_decile_order
    )
    return ServiceMeasures(
        start=start,
        end=end,
        first_contact=total,
        first_contact_deciles={decile: table[(scope, decile)] for decile in deciles},  # type: ignore[misc]
        peer_led=peer_led_of(held),
        peer_led_deciles={
            decile: peer_led_of(h for h in held if h.decile == decile)
            for decile in sorted({h.decile for h in held}, key=_decile_order)
        },
    )
