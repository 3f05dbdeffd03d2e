"""Demo content: our taxonomy, the council, real Norfolk venues (libraries and schools, from
geo) as locations with SIMULATED sessions, a few services without a venue, and advice articles.

The venues are real open data; every session is simulated and flagged `is_simulated`, which
every page shows. Idempotent: run it again and nothing is duplicated.
"""

import random
from datetime import date, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.core.output import Output
from familyreach.directory import services
from familyreach.directory.models import AdviceArticle, ArticleStatus
from familyreach.directory.services import ContactSpec, ScheduleSpec, ServiceAreaSpec
from familyreach.geo.models import Venue, VenueKind, VenueStatus

SOURCE = "demo"
SEED = 20190101
DAYS = ("MO", "TU", "WE", "TH", "FR")
SIMULATED_NOTE = " (Simulated demo session at a real venue.)"
NORFOLK_COUNTY_CODE = "E10000020"


def simulated_assured_date(reference: str) -> date:
    """A SIMULATED record of when a member of staff last checked a listing: 2 to 20 weeks ago,
    as a directory checked on a six-month cycle would show (not today on every listing).
    Its own generator, so the sessions drawn for each venue stay as they were."""
    rng = random.Random(f"{SEED}-assured-{reference}")
    return timezone.localdate() - timedelta(days=rng.randint(14, 140))


def _venues_with_a_timetable() -> set[int]:
    """Locations where something other than this demo lists sessions (delivery publishes its
    sessions; imports list theirs). There the real timetable is theirs: the demo adds none."""
    from familyreach.directory.models import ListingStatus, ServiceAtLocation

    return set(
        ServiceAtLocation.objects.filter(
            service__status=ListingStatus.ACTIVE, location__venue__isnull=False
        )
        .exclude(service__source=SOURCE)
        .values_list("location__venue_id", flat=True)
    )


def withdraw_duplicates(stdout: Output) -> None:
    """Run after delivery's demo step: remove this demo's simulated sessions at venues where
    delivery (or an import) now publishes the timetable, so no venue is listed twice."""
    from familyreach.directory.models import Service

    duplicates = Service.objects.filter(
        source=SOURCE, service_at_locations__location__venue_id__in=_venues_with_a_timetable()
    ).distinct()
    count = 0
    with transaction.atomic():
        for service in duplicates:
            service.delete()
            count += 1
    stdout.write(
        f"Directory: {count} simulated sessions withdrawn at venues whose sessions delivery "
        "publishes.\n"
    )


def load(stdout: Output) -> None:
    services.taxonomy_ensure()
    council = services.council_organization_ensure()
    owner = (
        User.objects.filter(username="dana-manager").first()
        or User.objects.filter(is_demo_account=True).first()
    )
    count = _sessions(council=council, owner=owner)
    remote = _services_without_a_venue(council=council, owner=owner)
    articles = _advice(owner=owner)
    stdout.write(
        f"Directory: {count} simulated sessions at real venues, {remote} simulated services "
        f"without a venue, {articles} advice articles.\n"
    )


@transaction.atomic
def _sessions(*, council: object, owner: User | None) -> int:
    from familyreach.directory.models import Organization

    assert isinstance(council, Organization)
    today = timezone.localdate()
    start = today - timedelta(days=today.weekday())
    count = 0
    taken = _venues_with_a_timetable()
    libraries = list(
        Venue.objects.filter(kind=VenueKind.LIBRARY, status=VenueStatus.OPEN).order_by("name")
    )
    for venue in libraries:
        if venue.pk in taken:
            continue
        # One generator per venue: skipping a venue leaves the others' sessions as they were.
        rng = random.Random(f"{SEED}-{venue.pk}")
        location = services.location_upsert_from_venue(venue)
        day = rng.choice(DAYS)
        services.service_upsert(
            source=SOURCE,
            source_reference=f"rhyme-time:{venue.pk}",
            organization=council,
            name=f"Rhyme time at {venue.name}",
            description="Songs, rhymes and a story for babies and toddlers with their grown-ups."
            + SIMULATED_NOTE,
            categories=["early-language", "stay-and-play"],
            location=location,
            schedules=[ScheduleSpec(time(10, 30), time(11), byday=day, dtstart=start)],
            minimum_age=0,
            maximum_age=4,
            how_to_book="Just turn up.",
            assured_date=simulated_assured_date(f"rhyme-time:{venue.pk}"),
            owner=owner,
            is_simulated=True,
        )
        count += 1
        if rng.random() < 0.4:
            services.service_upsert(
                source=SOURCE,
                source_reference=f"baby-group:{venue.pk}",
                organization=council,
                name=f"Baby group at {venue.name}",
                description="A relaxed group for parents and carers with babies under one: "
                "meet others, play and ask questions." + SIMULATED_NOTE,
                categories=["baby-groups", "peer-support"],
                location=location,
                schedules=[
                    ScheduleSpec(
                        time(13, 30),
                        time(15),
                        freq="MONTHLY",
                        byday=f"1{rng.choice(DAYS)}",
                        dtstart=start,
                    )
                ],
                minimum_age=0,
                maximum_age=1,
                for_pregnancy=True,
                assured_date=simulated_assured_date(f"baby-group:{venue.pk}"),
                owner=owner,
                is_simulated=True,
            )
            count += 1
    schools = [
        venue
        for venue in Venue.objects.filter(kind=VenueKind.SCHOOL, status=VenueStatus.OPEN).order_by(
            "name"
        )
        if any(word in venue.name for word in ("Primary", "Infant", "Nursery"))
    ]
    for venue in schools[::6]:
        if venue.pk in taken:
            continue
        rng = random.Random(f"{SEED}-{venue.pk}")
        location = services.location_upsert_from_venue(venue)
        paid = rng.random() < 0.25
        services.service_upsert(
            source=SOURCE,
            source_reference=f"stay-and-play:{venue.pk}",
            organization=council,
            name=f"Stay and play at {venue.name}",
            description="Play, messy play and snack time for under-fives and their parents or "
            "carers, ahead of starting school." + SIMULATED_NOTE,
            categories=["stay-and-play"],
            location=location,
            schedules=[
                ScheduleSpec(
                    rng.choice((time(9, 15), time(13, 15))),
                    rng.choice((time(10, 45), time(14, 45))),
                    byday=rng.choice(DAYS),
                    dtstart=start,
                )
            ],
            minimum_age=0,
            maximum_age=4,
            cost=Decimal("1.00") if paid else None,
            cost_description="£1 a family, towards snacks" if paid else "",
            assured_date=simulated_assured_date(f"stay-and-play:{venue.pk}"),
            owner=owner,
            is_simulated=True,
        )
        count += 1
    return count


@transaction.atomic
def _services_without_a_venue(*, council: object, owner: User | None) -> int:
    from familyreach.directory.models import Organization

    assert isinstance(council, Organization)
    today = timezone.localdate()
    specs = [
        (
            "parenting-online",
            "Understanding your child: parenting course online",
            "A 10-week course by video call for parents and carers of young children."
            + SIMULATED_NOTE.replace(" at a real venue", ""),
            ["parenting"],
            ["online"],
            [
                ScheduleSpec(
                    time(19),
                    time(20, 30),
                    byday="WE",
                    dtstart=today,
                    until=today + timedelta(weeks=10),
                )
            ],
        ),
        (
            "feeding-line",
            "Infant feeding support by phone",
            "Call for help with breastfeeding, bottle feeding or starting solid food."
            + SIMULATED_NOTE.replace(" at a real venue", ""),
            ["infant-feeding"],
            ["phone"],
            [ScheduleSpec(time(9), time(17), byday="MO,TU,WE,TH,FR", dtstart=today)],
        ),
        (
            "home-visits",
            "Family support at home",
            "A family support worker visits you at home to help with routines, behaviour, money "
            "worries or anything else." + SIMULATED_NOTE.replace(" at a real venue", ""),
            ["family-support", "money-and-housing"],
            ["home-visit"],
            [],
        ),
    ]
    county = ServiceAreaSpec(
        name="Norfolk",
        description="Families anywhere in Norfolk",
        uri=services.ons_area_uri(NORFOLK_COUNTY_CODE),
    )
    for reference, name, description, categories, delivery, schedules in specs:
        services.service_upsert(
            source=SOURCE,
            source_reference=reference,
            organization=council,
            name=name,
            description=description,
            categories=categories,
            delivery_methods=delivery,
            schedules=schedules,
            minimum_age=0,
            maximum_age=5,
            for_pregnancy=True,
            contact=ContactSpec(
                name="Early childhood and family service (demo)",
                email="family.service@example.org",
                phone=settings.COUNCIL_CONTACT_PHONE,
            ),
            service_areas=[county],
            assured_date=simulated_assured_date(reference),
            how_to_book="Ask for help through this website and we will contact you.",
            owner=owner,
            is_simulated=True,
        )
    return len(specs)


ARTICLES = [
    (
        "feeding-your-baby",
        "Feeding your baby",
        "feeding",
        "Where to get help with breastfeeding, bottle feeding and starting solid food.",
        ["infant-feeding"],
        """Every baby and every family is different. Whatever you choose, help is available.

## Getting help

- Your midwife and health visitor can help with feeding in the early weeks.
- Infant feeding groups and drop-ins near you are listed on this site.
- The NHS has guidance on breastfeeding, bottle feeding and weaning: <https://www.nhs.uk/start-for-life/>

## When to get advice quickly

If your baby is not feeding, has fewer wet nappies than usual, or you are worried, contact your
midwife, health visitor or GP, or call NHS 111.
""",
    ),
    (
        "talking-and-playing",
        "Talking and playing with your child",
        "talking",
        "Simple everyday ways to help your child's speech and language.",
        ["early-language", "stay-and-play"],
        """Children learn to talk by hearing lots of words and by taking turns in conversation.

## Everyday ideas

- Talk about what you are doing as you go about your day.
- Share books and sing songs and rhymes, even with young babies.
- Get down to your child's level and follow what they are interested in.

Rhyme times at libraries and stay and play sessions are a good way to meet other families.

The NHS Start for Life pages have more ideas: <https://www.nhs.uk/start-for-life/>
""",
    ),
    (
        "looking-after-your-wellbeing",
        "Looking after your own wellbeing",
        "wellbeing",
        "Feeling low or anxious during pregnancy or after birth is common, and help is available.",
        ["perinatal-mental-health", "peer-support"],
        """Many parents feel low, anxious or overwhelmed during pregnancy or after a baby arrives.
You are not alone, and it is not your fault.

## Where to get help

- Talk to your midwife, health visitor or GP.
- Peer support groups let you meet parents who have been through something similar.
- The NHS mental health pages explain the support available: <https://www.nhs.uk/mental-health/>

If you feel you might harm yourself or your baby, call 999 or go to A&E.
""",
    ),
    (
        "help-with-childcare-costs",
        "Help with childcare costs",
        "money",
        "Government schemes that can help pay for childcare.",
        ["money-and-housing"],
        """There are several government schemes that can help with the cost of childcare. What you can
get depends on your child's age, your work and your income.

Check what you can get on GOV.UK: <https://www.gov.uk/help-with-childcare-costs>

For help with benefits, debt or housing, Citizens Advice can help: <https://www.citizensadvice.org.uk/>
""",
    ),
    (
        "special-educational-needs",
        "If you think your child has additional needs",
        "send",
        "Who to talk to if you are worried about your child's development.",
        ["send"],
        """If you are worried about how your child is developing, talk to your health visitor, GP or
your child's nursery or childminder. They can help you work out what support your child needs.

GOV.UK explains support for children with special educational needs and disabilities:
<https://www.gov.uk/children-with-special-educational-needs>
""",
    ),
    (
        "when-to-get-medical-help",
        "When to get medical help for your child",
        "babies",
        "Knowing who to contact when your child is unwell.",
        ["health-visiting"],
        """For advice when your child is unwell, you can contact your GP or a pharmacist, or use
NHS 111 online or by phone: <https://www.nhs.uk/nhs-services/urgent-and-emergency-care-services/when-to-use-111/>

Call 999 in an emergency, for example if your child is having difficulty breathing or will not wake up.

Your health visitor can also give advice about your child's health and development.
""",
    ),
    (
        "sleep-and-bedtime-routines",
        "Sleep and bedtime routines",
        "behaviour",
        "Safer sleep for babies, and a bedtime routine that helps young children settle.",
        ["parenting", "health-visiting"],
        """Babies and young children sleep in very different ways, and broken nights are common.

## Safer sleep for babies

- Put your baby to sleep on their back, in their own cot or Moses basket, in the same room as
  you for the first 6 months.
- Keep the cot clear: a firm, flat mattress, no pillows, bumpers or soft toys.
- Keep your baby smoke-free, before and after birth.

The Lullaby Trust explains safer sleep in full: <https://www.lullabytrust.org.uk/safer-sleep-advice/>

## A bedtime routine

A calm routine at the same time each evening (a bath, a story, a song, then bed) helps many
children settle. NHS advice on helping your baby and child to sleep:
<https://www.nhs.uk/conditions/baby/caring-for-a-newborn/helping-your-baby-to-sleep/>

Your health visitor can talk through sleep worries with you, and parenting groups near you are
listed on this site.
""",
    ),
]


@transaction.atomic
def _advice(*, owner: User | None) -> int:
    editor = owner or User.objects.filter(is_superuser=True).first()
    review_by = date(timezone.localdate().year + 1, 3, 31)
    for slug, title, topic, summary, terms, body in ARTICLES:
        if AdviceArticle.objects.filter(slug=slug).exists():
            continue
        article = AdviceArticle(
            slug=slug,
            title=title,
            topic=topic,
            summary=summary,
            body=body,
            status=ArticleStatus.PUBLISHED,
            review_by=review_by,
            owner=editor,
            created_by=editor,
            modified_by=editor,
        )
        article.full_clean()
        article.save()
        article.related_terms.set(services._terms("early-years", terms))
    return len(ARTICLES)
