"""The community rows of the service-wide authorisation matrix
(tests/families/test_authorisation_matrix.py), kept by the community app.

That test walks every /staff/ URL. To cover ours it needs, in its `EXPECTED`, the rows from
`community_expected(access=access, redirect=REDIRECT)`, and, in its world's "own" and "other"
parameters, the records from `community_parameters(...)`:

    EXPECTED |= community_expected(access=access, redirect=REDIRECT)
    ...
    own_extra, other_extra = community_parameters(users=users)
    own = {**related(...), **own_extra}; other = {**related(...), **other_extra}

"Own" community records are related to the user: the group the community group admin runs (and
its booking), the concern the volunteer raised. "Other" ones belong to someone else. Records
only coordinators see (supporters, requests, matches, start-up help) are the same for both.
Our own, finer matrix is in tests/community/test_views.py.
"""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from familyreach.community import services
from familyreach.community.models import StartUpHelp
from familyreach.geo.models import Area, Postcode, Venue, VenueKind

Expected = dict[str, tuple[Any, Any]]


def community_expected(*, access: Callable[..., Expected], redirect: Any) -> dict[str, Any]:
    coordinators = {"superuser": 200, "manager": 200, "volunteer_coordinator": 200}
    coordinator_posts = dict.fromkeys(coordinators, redirect)
    only_coordinators = access(**coordinators)
    return {
        "community:home": (
            "get",
            access(**coordinators, volunteer=200, community_group_admin=200),
        ),
        "community:volunteers": ("get", only_coordinators),
        "community:volunteer-new": ("get", only_coordinators),
        "community:volunteer": ("get", only_coordinators),
        "community:expiries": ("get", only_coordinators),
        "community:requests": ("get", only_coordinators),
        "community:request-new": ("get", only_coordinators),
        "community:request": ("get", only_coordinators),
        "community:matches": ("get", only_coordinators),
        "community:match": ("get", only_coordinators),
        "community:concerns": ("get", only_coordinators),
        "community:my-matches": ("get", access(volunteer=200)),
        "community:concern-raise": (
            "get",
            access(**coordinators, volunteer=200, community_group_admin=200),
        ),
        "community:concern": ("get", access(**coordinators, volunteer=(200, 403))),
        "community:groups": ("get", access(**coordinators, community_group_admin=200)),
        "community:group": ("get", access(**coordinators, community_group_admin=(200, 404))),
        "community:rooms": ("get", access(**coordinators, community_group_admin=200)),
        "community:room": ("get", access(**coordinators, community_group_admin=200)),
        "community:help-decide": ("post", access(**coordinator_posts)),
        "community:booking-decide": ("post", access(**coordinator_posts)),
        "community:booking-use": (
            "post",
            access(**coordinator_posts, community_group_admin=(redirect, 404)),
        ),
        # A worker refers a family they can open (their caseload; a manager's district).
        "community:refer-family": (
            "get",
            access(superuser=200, manager=(200, 403), family_worker=(200, 403)),
        ),
    }


def community_parameters(*, users: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Create one of each community record; return the (own, other) URL parameters."""
    coordinator = users["volunteer_coordinator"]
    volunteer = users["volunteer"]
    group_admin = users["community_group_admin"]
    today = timezone.localdate()
    area = Area.objects.order_by("pk").first()
    if not Postcode.objects.filter(compact="NR301NE").exists():
        Postcode.objects.create(
            postcode="NR30 1NE",
            compact="NR301NE",
            outward="NR30",
            latitude=52.607,
            longitude=1.729,
            area=area,
            district=area.district if area else None,
        )
    supporter = services.supporter_apply(
        first_name="Matrix",
        last_name="Supporter",
        contact_route="Through the coordinator",
        home_postcode="NR30 1NE",
        applied_on=today,
        user=coordinator,
    )
    request = services.request_create(
        first_name="Matrix",
        contact_route="Text",
        postcode="NR30 1NE",
        stated_needs="Someone to talk to",
        user=coordinator,
    )
    # A match is recorded directly: the supporter has no checks, and proposing would refuse.
    from familyreach.community.models import Match

    match = Match.objects.create(
        request=request, supporter=supporter, score=0, confirmed_by=coordinator
    )
    groups = []
    for name in ("Matrix own group", "Matrix other group"):
        groups.append(
            services.group_register(
                name=name,
                kind="baby_group",
                description="A group",
                who_for="Parents of babies",
                venue_name="Hall",
                venue_postcode="NR30 1NE",
                contact_email="group@example.org",
                leaders=[{"name": "Lead", "email": "lead@example.org"}],
                sessions=[],
            )
        )
    groups[0].admins.add(group_admin)
    help_request = StartUpHelp.objects.create(group=groups[0], kind="free_room", purpose="Room")
    own_concern = services.concern_raise(
        user=volunteer, urgency="worried", about="A child", what_happened="Something"
    )
    other_concern = services.concern_raise(
        user=coordinator, urgency="worried", about="A child", what_happened="Something else"
    )
    centre = Venue.objects.create(
        name="Matrix former centre",
        kind=VenueKind.CHILDRENS_CENTRE,
        latitude=52.607,
        longitude=1.729,
    )
    room = services.room_create(
        venue=centre, name="Room", capacity=10, rules="-", hourly_cost=Decimal(0), user=None
    )
    start = timezone.now() + timedelta(days=4)

    def booking(group: Any, hours_later: int) -> int:
        at = start + timedelta(hours=hours_later)
        return services.room_booking_request(
            room=room,
            starts_at=at,
            ends_at=at + timedelta(hours=1),
            organisation_name="Matrix",
            purpose="Play",
            benefits_under_fives=True,
            group=group,
            user=coordinator,
        ).pk

    shared = {
        "supporter_id": supporter.pk,
        "request_id": request.pk,
        "match_id": match.pk,
        "help_id": help_request.pk,
        "room_id": room.pk,
    }
    own = {
        **shared,
        "group_id": groups[0].pk,
        "concern_id": own_concern.pk,
        "booking_id": booking(groups[0], 0),
    }
    other = {
        **shared,
        "group_id": groups[1].pk,
        "concern_id": other_concern.pk,
        "booking_id": booking(None, 2),
    }
    return own, other
