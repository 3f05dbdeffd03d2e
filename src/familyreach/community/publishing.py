"""The one place where community groups reach the directory (and so the ORUK API).

An approved group becomes a directory organisation with one service, keyed on the group (so
publishing again replaces rather than duplicates), its sessions as weekly or monthly schedules,
and the mark "run by local parents": a term of our own small taxonomy attached as an ORUK
service attribute (machine-readable), and the words at the start of the description (readable
on every page that shows the listing). A suspended group's listing is made inactive.
"""

from django.db import transaction

from familyreach.accounts.models import User
from familyreach.community.models import CommunityGroup, GroupFrequency, GroupKind, GroupSession
from familyreach.directory import services as directory
from familyreach.directory.models import (
    Address,
    ListingStatus,
    Location,
    LocationType,
    Service,
    TaxonomyTerm,
)
from familyreach.directory.taxonomy import CATEGORY_TAXONOMY, RUN_BY_LOCAL_PARENTS
from familyreach.geo.models import Postcode

SOURCE = "familyreach.community"
# A simulated group's listing ends by saying so, in words as well as the Simulated tag.
SIMULATED_LABEL = (
    "Simulated: this group is demo data. The venue is real, but the group does not meet there."
)

# Directory categories for each kind of group; every group is also peer support.
KIND_CATEGORIES: dict[str, tuple[str, ...]] = {
    GroupKind.PARENT_AND_TODDLER: ("stay-and-play",),
    GroupKind.BABY_GROUP: ("baby-groups",),
    GroupKind.BREASTFEEDING: ("infant-feeding",),
    GroupKind.DADS: ("parenting",),
    GroupKind.PEER_SUPPORT: (),
    GroupKind.OTHER: (),
}
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def group_reference(group: CommunityGroup) -> str:
    return f"group-{group.pk}"


def _schedule(session: GroupSession) -> directory.ScheduleSpec:
    day = WEEKDAY_CODES[session.weekday]
    if session.frequency == GroupFrequency.MONTHLY:
        freq, byday, interval = "MONTHLY", f"1{day}", 1
    else:
        freq, byday = "WEEKLY", day
        interval = 2 if session.frequency == GroupFrequency.FORTNIGHTLY else 1
    return directory.ScheduleSpec(
        opens_at=session.starts_at,
        closes_at=session.ends_at,
        freq=freq,
        byday=byday,
        interval=interval,
        description=" ".join(
            part for part in (session.get_frequency_display(), session.notes) if part
        ),
        attending_type="in person",
    )


def _location(group: CommunityGroup, user: User | None) -> Location | None:
    if group.venue is not None:
        return directory.location_upsert_from_venue(group.venue, user=user)
    postcode = Postcode.objects.filter(compact=group.venue_postcode.replace(" ", "")).first()
    location = Location.objects.filter(source=SOURCE, source_reference=group_reference(group))
    row = location.first() or Location(
        source=SOURCE, source_reference=group_reference(group), created_by=user
    )
    row.name = group.venue_name
    row.location_type = LocationType.PHYSICAL
    row.latitude = postcode.latitude if postcode else None
    row.longitude = postcode.longitude if postcode else None
    row.modified_by = user
    row.full_clean()
    row.save()
    address = row.addresses.first() or Address(location=row)
    address.address_1 = (group.venue_address.split(",")[0].strip() or group.venue_name)[:200]
    address.city = (postcode.district.name if postcode and postcode.district else group.venue_name)[
        :100
    ]
    address.state_province = "England"
    address.postal_code = group.venue_postcode
    address.full_clean()
    address.save()
    return row


@transaction.atomic
def group_publish(*, group: CommunityGroup, user: User | None) -> Service:
    """Create or refresh the group's directory listing (idempotent)."""
    organization = directory.organization_upsert(
        source=SOURCE,
        source_reference=group_reference(group),
        name=group.name,
        description=f"{RUN_BY_LOCAL_PARENTS}: a community group. {group.who_for}",
        email=group.contact_email,
        website=group.website,
        user=user,
    )
    organization.editors.add(*group.admins.all())
    if not TaxonomyTerm.objects.filter(taxonomy__code=CATEGORY_TAXONOMY).exists():
        directory.taxonomy_ensure()
    lead = group.leaders.first()
    service = directory.service_upsert(
        source=SOURCE,
        source_reference=group_reference(group),
        organization=organization,
        name=group.name,
        description=f"{RUN_BY_LOCAL_PARENTS}. {group.description}\n\nWho it is for: {group.who_for}"
        + (f"\n\n{SIMULATED_LABEL}" if group.is_simulated else ""),
        categories=(*KIND_CATEGORIES.get(group.kind, ()), "peer-support"),
        location=_location(group, user),
        schedules=[_schedule(session) for session in group.sessions.all()],
        minimum_age=group.minimum_age_months / 12 if group.minimum_age_months is not None else None,
        maximum_age=group.maximum_age_months / 12 if group.maximum_age_months is not None else None,
        cost_description=group.cost_description,
        contact=directory.ContactSpec(
            name=lead.name if lead else "", email=group.contact_email, phone=group.contact_phone
        ),
        how_to_book="Just come along, or get in touch with the group first.",
        is_simulated=group.is_simulated,
        user=user,
    )
    directory.service_mark_run_by_local_parents(service=service)
    return service


@transaction.atomic
def group_withdraw(*, group: CommunityGroup, user: User | None) -> None:
    """Take a suspended group's listing out of the directory (kept, marked inactive)."""
    for service in Service.objects.filter(source=SOURCE, source_reference=group_reference(group)):
        service.status = ListingStatus.INACTIVE
        service.modified_by = user
        service.save(update_fields=["status", "modified_by", "modified_at"])
