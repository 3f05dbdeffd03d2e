"""Demo families (all simulated): a modest, seeded population on real Norfolk postcodes, with
bookings for the coming weeks and attendance (closed registers, so contacts) for the past
four weeks. Every family is flagged `is_simulated` and shown as simulated.

Issue 8 (insight) will bring a proper population simulator; this stays small and deterministic.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

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
from familyreach.geo.models import Postcode

FAMILIES = 300
SEED = 20261126
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
    for number in range(count):
        district_id = district_ids[number % len(district_ids)]
        carer = randomness.choice(CARER_NAMES)
        surname = randomness.choice(SURNAMES)
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
    stdout.write(
        f"  {count} simulated families, {contacts} session contacts, {bookings} bookings\n"
    )
