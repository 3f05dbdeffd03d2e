"""Demo data for community support: simulated peer supporters, requests, groups and rooms.

Everything here is simulated and labelled so (`is_simulated`, rooms `is_demo`); the places are
real (postcodes and venues from the Norfolk open data). Safe to run again: records are found by
name before being created.
"""

from datetime import time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.community.models import (
    REQUIRED_TRAINING,
    ROOM_VENUE_KINDS,
    CommunityGroup,
    DbsCheck,
    PeerSupporter,
    PeerSupportRequest,
    Reference,
    Room,
    SupporterStatus,
    TrainingRecord,
)
from familyreach.community.services import groups as group_services
from familyreach.community.services import rooms as room_services
from familyreach.community.services import supporters as supporter_services
from familyreach.core.output import Output
from familyreach.geo.models import Postcode, Venue, VenueKind

# (first name, last name, outward code for home, languages, experiences, availability,
#  days until the DBS recheck is due)
SUPPORTERS: tuple[tuple[str, str, str, list[str], list[str], list[str], int], ...] = (
    ("Ania", "Nowak", "NR30", ["English", "Polish"], ["twins", "postnatal_depression"], ["mon_am", "wed_am"], 800),
    ("Bea", "Howard", "NR31", ["English"], ["premature_baby", "breastfeeding"], ["tue_pm", "thu_am"], 20),
    ("Chloe", "Marsh", "NR3", ["English"], ["young_parent", "single_parent"], ["evenings", "weekends"], 600),
    ("Deepa", "Rao", "NR2", ["English", "Tamil"], ["send", "new_to_area"], ["mon_am", "fri_am"], 900),
    ("Ellen", "Price", "PE30", ["English", "Lithuanian"], ["postnatal_depression"], ["wed_pm", "thu_pm"], 400),
    ("Fola", "Adeyemi", "IP24", ["English", "Portuguese"], ["young_parent", "twins"], ["tue_am", "fri_pm"], 700),
)  # fmt: skip

# (first name, outward code, languages, experiences wanted, availability, stated needs)
REQUESTS: tuple[tuple[str, str, list[str], list[str], list[str], str], ...] = (
    ("Magda", "NR30", ["Polish"], ["twins", "postnatal_depression"], ["mon_am"], "Twins at 4 months, feeling low and on my own most days."),
    ("Jade", "NR3", ["English"], ["young_parent"], ["evenings"], "First baby at 18; would like someone to talk to about what is normal."),
)  # fmt: skip

# (name, kind, who for, weekday, start, end, description: what happens, then what to bring)
GROUPS: tuple[tuple[str, str, str, int, time, time, str], ...] = (
    ("Tots and Tea (simulated)", "parent_and_toddler", "Parents and carers with children under four", 1, time(9, 30), time(11, 30),
     "Play, songs and a cuppa, run by local parents. Toys and a craft table are set out, and the "
     "morning ends with a sing-along.\n\nWhat to bring: 50p towards tea and biscuits if you can, "
     "and a snack for your child."),
    ("Bosom Buddies Circle (simulated)", "breastfeeding", "Anyone feeding a baby, and those expecting", 3, time(13, 0), time(14, 30),
     "A friendly circle for feeding support, run by trained peer supporters: share what is going "
     "well and what is hard, with mums who have been there.\n\nWhat to bring: your baby, and "
     "anything you need for a feed. Bottle-feeding parents are just as welcome."),
    ("Dads Do Play (simulated)", "dads", "Dads and male carers with children under five", 5, time(10, 0), time(11, 30),
     "Saturday morning play for dads and their little ones: building, balls and a story, with "
     "bacon rolls for the grown-ups.\n\nWhat to bring: clothes that can get messy. No need "
     "to book."),
)  # fmt: skip


def _postcode(outward: str, name: str) -> Postcode | None:
    """A real postcode in the outward code, spread by name so people do not share a door."""
    postcodes = Postcode.objects.filter(outward=outward).order_by("compact")
    count = postcodes.count()
    return postcodes[(sum(map(ord, name)) * 7) % count] if count else None


def _acting_user() -> User | None:
    return User.objects.filter(username="demo-manager").first()


def _supporters(user: User | None) -> int:
    today = timezone.localdate()
    volunteer_account = User.objects.filter(username="demo-volunteer").first()
    made = 0
    for first, last, outward, languages, experiences, availability, dbs_days in SUPPORTERS:
        if PeerSupporter.objects.filter(
            first_name=first, last_name=last, is_simulated=True
        ).exists():
            continue
        postcode = _postcode(outward, first)
        if postcode is None:
            continue
        account = None
        if (
            first == "Ania"
            and volunteer_account is not None
            and not PeerSupporter.objects.filter(user=volunteer_account).exists()
        ):
            account = volunteer_account
        supporter = supporter_services.supporter_apply(
            first_name=first,
            last_name=last,
            contact_route="Through the peer support coordinator (simulated)",
            home_postcode=postcode.postcode,
            applied_on=today - timedelta(days=300),
            languages=languages,
            experiences=experiences,
            availability=availability,
            max_travel_minutes=40,
            account=account,
            is_simulated=True,
            user=user,
        )
        # Checks and training are recorded with the coordinator's own account in real use;
        # the demo writes them directly so it does not need one.
        for referee in ("Simulated referee A", "Simulated referee B"):
            Reference.objects.create(
                supporter=supporter,
                referee_name=referee,
                relationship="Employer",
                received_on=today - timedelta(days=250),
                satisfactory=True,
            )
        DbsCheck.objects.create(
            supporter=supporter,
            certificate_number="000000000000",
            issued_on=today - timedelta(days=200),
            recheck_due_on=today + timedelta(days=dbs_days),
            update_service_subscribed=True,
        )
        for module in REQUIRED_TRAINING:
            TrainingRecord.objects.create(
                supporter=supporter,
                module=module,
                completed_on=today - timedelta(days=150),
                expires_on=today + timedelta(days=550) if module == "safeguarding" else None,
            )
        supporter.status = SupporterStatus.ACTIVE
        supporter.save(update_fields=["status"])
        made += 1
    return made


def _requests(user: User | None) -> int:
    made = 0
    for first, outward, languages, wanted, availability, needs in REQUESTS:
        if PeerSupportRequest.objects.filter(first_name=first, is_simulated=True).exists():
            continue
        postcode = _postcode(outward, first)
        if postcode is None:
            continue
        position = supporter_services.position_fields(postcode.postcode)
        request = PeerSupportRequest(
            first_name=first,
            contact_route="Text the number the family gave (simulated)",
            languages=languages,
            experiences_wanted=wanted,
            availability=availability,
            stated_needs=needs,
            is_simulated=True,
            created_by=user,
            **position,
        )
        request.full_clean()
        request.save()
        made += 1
    return made


def _groups(user: User | None) -> int:
    libraries = list(Venue.objects.filter(kind=VenueKind.LIBRARY).exclude(postcode="")[:3])
    made = 0
    for index, (name, kind, who_for, weekday, starts, ends, description) in enumerate(GROUPS):
        if CommunityGroup.objects.filter(name=name).exists() or index >= len(libraries):
            continue
        venue = libraries[index]
        group = group_services.group_register(
            name=name,
            kind=kind,
            description=description,
            who_for=who_for,
            venue_name=venue.name,
            venue_address=venue.address,
            venue_postcode=venue.postcode,
            contact_email="group@example.org",
            insurance_url="https://example.org/simulated/insurance.pdf",
            policy_url="https://example.org/simulated/safeguarding-policy.pdf",
            leaders=[
                {
                    "name": "Simulated Lead",
                    "email": "lead@example.org",
                    "is_safeguarding_lead": True,
                }
            ],
            sessions=[{"weekday": weekday, "starts_at": starts, "ends_at": ends}],
            is_simulated=True,
        )
        admin = User.objects.filter(username="demo-group").first()
        if admin is not None and index == 0:
            group.admins.add(admin)
        # The last group is left waiting for approval, so the queue has something in it.
        if user is not None and index < len(GROUPS) - 1:
            group_services.group_approve(group=group, user=user, notes="Simulated approval")
        made += 1
    return made


def _rooms(user: User | None) -> int:
    venues = list(Venue.objects.filter(kind__in=ROOM_VENUE_KINDS)[:3])
    if not venues:
        # No former centre or base loaded: show the feature in real libraries, marked demo.
        venues = list(Venue.objects.filter(kind=VenueKind.LIBRARY)[:2])
    made = 0
    for venue in venues:
        for name, capacity, cost in (
            ("Activity room", 25, Decimal("0")),
            ("Meeting room", 10, Decimal("8.50")),
        ):
            if Room.objects.filter(venue=venue, name=name).exists():
                continue
            room_services.room_create(
                venue=venue,
                name=name,
                capacity=capacity,
                rules="Demo room (not really offered). Leave it as you found it; no smoking on site.",
                hourly_cost=cost,
                user=None,
                is_demo=True,
            )
            made += 1
    return made


@transaction.atomic
def load(stdout: Output) -> None:
    user = _acting_user()
    counts: dict[str, Any] = {
        "peer supporters": _supporters(user),
        "requests for peer support": _requests(user),
        "community groups": _groups(user),
        "rooms": _rooms(user),
    }
    made = ", ".join(f"{count} {what}" for what, count in counts.items())
    stdout.write(f"Community (simulated): {made} added.\n")
