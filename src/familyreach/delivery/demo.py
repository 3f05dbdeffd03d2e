"""Demo delivery (all simulated, on real Norfolk places): a family base and team per district,
and a week of sessions at real libraries. Deterministic and idempotent.

Bases are new venue rows of kind family base placed at a real library of each district (named
"Family base at ... (simulated)"): the real venue rows are not changed. Staff are simulated
accounts that cannot sign in outside demo mode. The demo worker (`demo-worker`) runs the
Great Yarmouth sessions and the demo volunteer helps at one, so their week pages show them.
"""

from datetime import time, timedelta

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.core.output import Output
from familyreach.delivery.models import Base, Session, Team
from familyreach.delivery.services import SessionDetails, base_create, session_create, team_create
from familyreach.geo.models import District, Venue, VenueKind

DEMO_SOURCE = "familyreach.demo"
# Monday to Friday: one session a day per district, rotating through these.
SESSION_PLAN = (
    ("Baby group", "baby_group", 0, 12, "booked", time(10, 0), time(11, 30)),
    ("Stay and play", "stay_and_play", 0, 60, "drop_in", time(10, 0), time(11, 30)),
    ("Rhyme time and talk", "speech_and_language", 6, 48, "booked", time(13, 30), time(14, 30)),
    ("Feeding support", "infant_feeding", 0, 12, "drop_in", time(10, 30), time(12, 0)),
    ("Toddler time", "stay_and_play", 12, 48, "booked", time(9, 30), time(11, 0)),
)
WORKERS_PER_DISTRICT = 3


def _group(role: Role) -> Group:
    return Group.objects.get_or_create(name=role.value)[0]


def _simulated_worker(district: District, number: int) -> User:
    username = f"sim-{district.code.lower()}-{number}"
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "display_name": f"Simulated worker {number}, {district.name}",
            "district_code": district.code,
            "is_demo_account": True,
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(_group(Role.FAMILY_WORKER))
    return user


@transaction.atomic
def load(stdout: Output) -> None:
    districts = list(District.objects.order_by("name"))
    if not districts:
        stdout.write("  no geography loaded: run the geo step first\n")
        return
    if Session.objects.filter(is_simulated=True).exists():
        stdout.write("  simulated sessions already loaded\n")
        return
    demo_worker = User.objects.filter(username="demo-worker").first()
    demo_volunteer = User.objects.filter(username="demo-volunteer").first()
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    # Started four weeks ago, so there are past registers (contacts) as well as bookings.
    first_week = monday - timedelta(weeks=4)
    sessions = 0
    for district in districts:
        libraries = list(
            Venue.objects.filter(kind=VenueKind.LIBRARY, district=district).order_by("name")
        )
        if not libraries:
            continue
        home = libraries[0]
        base_venue, _ = Venue.objects.get_or_create(
            source=DEMO_SOURCE,
            source_reference=f"base-{district.code}",
            defaults={
                "name": f"Family base at {home.name} (simulated)",
                "kind": VenueKind.FAMILY_BASE,
                "address": home.address,
                "postcode": home.postcode,
                "latitude": home.latitude,
                "longitude": home.longitude,
                "position_is_exact": home.position_is_exact,
                "position_source": f"Placed at {home.name} (real library) for the demo",
                "district": district,
                "area": home.area,
            },
        )
        base = Base.objects.filter(venue=base_venue).first() or base_create(
            user=None,
            venue=base_venue,
            name=f"{district.name} family base (simulated)",
            is_simulated=True,
        )
        workers = [_simulated_worker(district, n) for n in range(1, WORKERS_PER_DISTRICT + 1)]
        if demo_worker is not None and district.code == "E07000145":
            workers[0] = demo_worker
        if not Team.objects.filter(base=base).exists():
            team_create(
                user=None,
                base=base,
                name=f"{district.name} family team (simulated)",
                members=workers,
            )
        for day, venue in enumerate((libraries * 5)[:5]):
            title, category, age_from, age_to, mode, starts, ends = SESSION_PLAN[
                (day + len(district.name)) % len(SESSION_PLAN)
            ]
            worker = workers[day % len(workers)]
            if demo_worker is not None and district.code == "E07000145":
                worker = demo_worker
            session_create(
                user=None,
                details=SessionDetails(
                    title=f"{title} (simulated)",
                    category=category,
                    venue=venue,
                    base=base,
                    capacity=12 if mode == "booked" else 25,
                    start_date=first_week + timedelta(days=day),
                    start_time=starts,
                    end_time=ends,
                    booking_mode=mode,
                    age_from_months=age_from,
                    age_to_months=age_to,
                    description="A simulated session for the demonstration.",
                ),
                staff=[worker],
                volunteers=[demo_volunteer]
                if demo_volunteer and day == 0 and district.code == "E07000145"
                else [],
                is_simulated=True,
                generate_until=monday + timedelta(weeks=5),
            )
            sessions += 1
    stdout.write(
        f"  {Base.objects.filter(is_simulated=True).count()} bases, {sessions} weekly sessions "
        "at real libraries (simulated)\n"
    )
