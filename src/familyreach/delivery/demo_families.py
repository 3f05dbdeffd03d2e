"""Demo families (all simulated): a modest, seeded population on real Norfolk postcodes, with
bookings for the coming weeks and attendance (closed registers, so contacts) for the past
four weeks. Every family is flagged `is_simulated` and shown as simulated.

Insight's simulator (`insight.simulate`) makes the large simulated population; this stays small
and deterministic, for the pages and journeys that name a family.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.core.output import Output
from familyreach.delivery.models import BookingMode, Occurrence, OccurrenceStatus
from familyreach.delivery.services import (
    BookingRefused,
    RegisterEntry,
    booking_create,
    register_close,
    register_update,
)
from familyreach.families.models import Family, FamilySource
from familyreach.families.services import (
    CarerDetails,
    ChildDetails,
    ConsentDetails,
    TargetGroups,
    case_open,
    family_register,
)
from familyreach.geo.models import District, Postcode

FAMILIES = 300
SEED = 20261126
DEMO_DISTRICT = "E07000145"  # Great Yarmouth: the demo worker's and demo manager's district
NAMED_FAMILY = ("Grace", "Wilson")
# Simulated requests (names marked as such: the demo's families are all simulated).
DEMO_REQUESTS = (
    (
        "Jade Turner (simulated)",
        [1],
        ["infant-feeding", "parenting"],
        "My baby is not feeding well and I am on my own in the day.",
    ),
    ("Sam Okafor (simulated)", [3, -1], ["early-language"], "Our son has very few words."),
)
CARER_NAMES = (
    "Amelia",
    "Olivia",
    "Isla",
    "Ava",
    "Mia",
    "Grace",
    "Sophie",
    "Chloe",
    "Jade",
    "Leah",
    "Aisha",
    "Zofia",
    "Oliver",
    "Jack",
    "Harry",
    "Noah",
    "Tom",
    "Daniel",
    "Kyle",
    "Marek",
)
CHILD_NAMES = (
    "Alfie",
    "Freddie",
    "Theo",
    "Arthur",
    "Leo",
    "Oscar",
    "Archie",
    "Lily",
    "Rosie",
    "Evie",
    "Poppy",
    "Ivy",
    "Willow",
    "Maya",
    "Ella",
    "Freya",
    "Ruby",
    "Finley",
    "Reggie",
    "Hallie",
)
SURNAMES = (
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Kowalski",
)


def _occurrence_postcodes(occurrence: Occurrence) -> list[str]:
    district = occurrence.session.venue.district
    return list(
        Postcode.objects.filter(district=district, area__isnull=False)
        .order_by("compact")
        .values_list("postcode", flat=True)[:400]
    )


@transaction.atomic
def load(stdout: Output, *, count: int = FAMILIES) -> None:
    if Family.objects.filter(is_simulated=True).exists():
        stdout.write("  simulated families already loaded\n")
        return
    today = timezone.localdate()
    occurrences = list(
        Occurrence.objects.filter(
            session__is_simulated=True,
            status=OccurrenceStatus.SCHEDULED,
            date__gte=today - timedelta(weeks=4),
            date__lte=today + timedelta(weeks=2),
        )
        .select_related("session", "session__venue", "session__venue__district")
        .prefetch_related("session__staff")
        .order_by("date", "id")
    )
    if not occurrences:
        stdout.write("  no simulated sessions: run the delivery step first\n")
        return
    randomness = random.Random(SEED)
    now = timezone.now()
    by_district: dict[int, list[Occurrence]] = {}
    for occurrence in occurrences:
        by_district.setdefault(occurrence.session.venue.district_id or 0, []).append(occurrence)
    postcodes = {
        district_id: _occurrence_postcodes(items[0]) for district_id, items in by_district.items()
    }
    district_ids = [d for d in by_district if postcodes[d]]
    families: dict[int, list[Family]] = {d: [] for d in district_ids}
    # One family the guides and journey tests can name: Grace Wilson, in the demo worker's
    # district (Great Yarmouth) when it is loaded, on the demo worker's caseload.
    named_district = next(
        (d for d in district_ids if District.objects.filter(pk=d, code=DEMO_DISTRICT).exists()),
        district_ids[0],
    )
    named_family: Family | None = None
    for number in range(count):
        district_id = district_ids[number % len(district_ids)]
        carer = randomness.choice(CARER_NAMES)
        surname = randomness.choice(SURNAMES)
        is_named = named_family is None and district_id == named_district
        if is_named:
            carer, surname = NAMED_FAMILY
        expecting = randomness.random() < 0.08
        child_dob = today - timedelta(days=randomness.randint(20, 4 * 365))
        children = [
            ChildDetails(
                first_name=randomness.choice(CHILD_NAMES),
                last_name=surname,
                date_of_birth=child_dob,
            )
        ]
        if expecting:
            children.append(
                ChildDetails(expected_due_date=today + timedelta(days=randomness.randint(14, 200)))
            )
        family = family_register(
            user=None,
            carers=[CarerDetails(first_name=carer, last_name=surname, relationship="parent")],
            children=children,
            postcode=randomness.choice(postcodes[district_id]),
            address="(simulated address)",
            target_groups=TargetGroups(
                lone_parent=randomness.random() < 0.22,
                young_parent=randomness.random() < 0.06,
                disability_or_send=randomness.random() < 0.12,
                english_additional_language=randomness.random() < 0.1,
                workless_household=randomness.random() < 0.15,
            ),
            consents=[
                ConsentDetails(
                    purpose="keep_record",
                    lawful_basis="public_task",
                    given_by=f"{carer} {surname}",
                    method="verbal",
                )
            ],
            source=FamilySource.DEMO,
            confirmed_not_duplicate=True,
            is_simulated=True,
        ).family
        families[district_id].append(family)
        if is_named:
            named_family = family
    contacts = bookings = 0
    for district_id in district_ids:
        local = families[district_id]
        for occurrence in by_district[district_id]:
            staff = next(iter(occurrence.session.staff.all()), None)
            chosen = randomness.sample(local, k=min(len(local), randomness.randint(4, 10)))
            if occurrence.ends_at > now:
                if occurrence.session.booking_mode == BookingMode.BOOKED:
                    for family in chosen[: occurrence.capacity]:
                        try:
                            booking_create(user=staff, occurrence_id=occurrence.pk, family=family)
                        except BookingRefused:
                            # Two simulated families can share a child's name, birthday and
                            # postcode: one place per child, so the second is not booked.
                            continue
                        bookings += 1
                continue
            register_update(
                user=staff,
                occurrence=occurrence,
                entries=[
                    RegisterEntry(
                        family_id=family.pk,
                        present=True,
                        adults=1 + (randomness.random() < 0.2),
                        children=max(
                            1, family.children.filter(date_of_birth__isnull=False).count()
                        ),
                    )
                    for family in chosen
                ],
            )
            contacts += len(register_close(user=staff, occurrence=occurrence))
            if staff is not None:
                for family in chosen[:1]:
                    case_open(
                        user=staff,
                        family=family,
                        worker=staff,
                        reason="Simulated: met at a session",
                        next_action="Phone to talk about the two-year check",
                        next_action_due=today + timedelta(days=randomness.randint(-3, 14)),
                    )
    demo_worker = User.objects.filter(username="demo-worker").first()
    if named_family is not None and demo_worker is not None:
        case_open(
            user=demo_worker,
            family=named_family,
            worker=demo_worker,
            reason="Simulated: referred by the health visitor",
            next_action="Visit to talk about the baby's sleep",
            next_action_due=today + timedelta(days=2),
        )
    requests = _support_requests()
    stdout.write(
        f"  {count} simulated families, {contacts} session contacts, {bookings} bookings, "
        f"{requests} new requests for support\n"
    )


def _support_requests() -> int:
    """Two new requests for support from the front door in the demo worker's district, so the
    worker's and manager's pages have something to take on."""
    from familyreach.directory.models import SupportRequest
    from familyreach.directory.services import support_request_create

    district = District.objects.filter(code=DEMO_DISTRICT).first()
    made = 0
    for name, ages, help_with, details in DEMO_REQUESTS:
        if SupportRequest.objects.filter(name=name).exists():
            continue
        support_request_create(
            requester="family",
            name=name,
            postcode="NR30 1NE",
            district_id=district.pk if district else None,
            children_ages=ages,
            expecting_baby=-1 in ages,
            help_with=help_with,
            details=details,
            contact_method="phone",
            email="",
            phone="07700 900000",
            best_times="Weekday mornings",
            family_consent=True,
        )
        made += 1
    return made
