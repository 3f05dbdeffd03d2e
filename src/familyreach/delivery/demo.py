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
from familyreach.delivery.models import Base, Session, SessionCategory, Team
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

# What happens at each kind of session, what to bring, for the simulated listings' descriptions
# (a parent reads them on the service page). "{venue}" is the real venue's name.
WHAT_HAPPENS: dict[str, tuple[str, str]] = {
    SessionCategory.BABY_GROUP: (
        "A relaxed hour and a half at {venue} for parents and carers with a new baby. There are "
        "mats, sensory toys and baby songs; a family support worker is there to talk about "
        "feeding, sleep and how you are feeling, and to weigh babies on request.",
        "Bring your baby's red book, a change of nappy and anything you need for a feed. Prams "
        "can be left by the entrance.",
    ),
    SessionCategory.STAY_AND_PLAY: (
        "Free play at {venue}: toys, books, messy play and a song to finish, with you staying "
        "alongside your child. A family support worker is on hand for a chat about play, "
        "behaviour, nursery places or anything else.",
        "Bring a drink and a snack for your child, and clothes that can get messy. Parking "
        "nearby may be limited.",
    ),
    SessionCategory.SPEECH_AND_LANGUAGE: (
        "Rhymes, stories and simple games at {venue} that help children listen, talk and take "
        "turns. Staff show ideas to try at home and can tell you about extra help if you are "
        "worried about your child's talking.",
        "Nothing to bring: books and props are provided. You are welcome to bring a favourite "
        "book to share.",
    ),
    SessionCategory.INFANT_FEEDING: (
        "A drop-in at {venue} for help with breastfeeding, bottle feeding or starting solid "
        "food. A trained feeding supporter can watch a feed, help with latch and positioning, "
        "and talk through expressing or combination feeding.",
        "Bring your baby, and a bottle or your pump if you use one. There is a quiet corner if "
        "you would like privacy.",
    ),
    SessionCategory.HEALTH_CLINIC: (
        "A health visitor clinic at {venue}: weigh your baby, ask about feeding, sleep, "
        "development or immunisations, and get advice without an appointment.",
        "Bring your baby's red book (personal child health record) so the weight can be "
        "written in.",
    ),
    SessionCategory.ANTENATAL: (
        "A group at {venue} for expectant parents and birth partners: what to expect in labour, "
        "feeding, and the first weeks at home, and a chance to meet other parents due around "
        "the same time.",
        "Bring your maternity notes if you have them, and a partner or supporter if you would "
        "like to.",
    ),
    SessionCategory.PARENTING_COURSE: (
        "One of a series of small-group sessions at {venue} on routines, behaviour and "
        "sleep, led by a family support worker. Each week has a short talk, ideas to try "
        "and time for questions.",
        "Bring a notebook if you like. A crèche may be available: ask when you book.",
    ),
    SessionCategory.OTHER: (
        "An outreach drop-in at {venue}, where a family support worker can help with money, "
        "housing, nursery funding or finding other groups near you.",
        "Bring any letters or forms you would like help with.",
    ),
}
SIMULATED_LABEL = (
    "Simulated: this is demo data. The venue is real, but this session does not take place."
)


def _ages_in_words(age_from_months: int, age_to_months: int) -> str:
    def words(months: int) -> str:
        if months == 0:
            return "birth"
        if months < 24:
            return f"{months} months"
        return f"{months // 12} years"

    return f"children from {words(age_from_months)} to {words(age_to_months)}"


def simulated_description(
    *, category: str, venue_name: str, age_from_months: int, age_to_months: int
) -> str:
    """What happens at a simulated session, who it is for and what to bring, in paragraphs,
    ending with the simulated label (the listing says it is demo data in its own words too)."""
    happens, bring = WHAT_HAPPENS.get(category, WHAT_HAPPENS[SessionCategory.OTHER])
    who = (
        f"For parents and carers with {_ages_in_words(age_from_months, age_to_months)}. "
        "Grandparents and other carers are welcome."
    )
    return "\n\n".join(
        (happens.format(venue=venue_name), who, f"What to bring: {bring}", SIMULATED_LABEL)
    )


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
                    description=simulated_description(
                        category=category,
                        venue_name=venue.name,
                        age_from_months=age_from,
                        age_to_months=age_to,
                    ),
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
