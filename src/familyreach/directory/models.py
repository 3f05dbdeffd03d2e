"""The directory: an Open Referral UK 3.0 / HSDS 3.0 model of who offers what, where and when.

Table and field names follow HSDS 3.0 so the API (`oruk.py`) is a thin mapping. Primary keys
are UUIDs because ORUK identifiers are UUIDs and records travel between directories.
Our additions (scheduled visibility, owners, simulated-data flags, the approval queue, advice
and requests for support) sit beside the standard fields and are not published in the API.
"""

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q

from familyreach.core.models import TrackedModel


class ListingStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    DEFUNCT = "defunct", "Defunct"
    TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"


class LocationType(models.TextChoices):
    PHYSICAL = "physical", "Physical"
    POSTAL = "postal", "Postal"
    VIRTUAL = "virtual", "Virtual"


class Frequency(models.TextChoices):
    # ORUK allows WEEKLY and MONTHLY; a one-off event has no frequency, only `dtstart`.
    WEEKLY = "WEEKLY", "Weekly"
    MONTHLY = "MONTHLY", "Monthly"


class Taxonomy(models.Model):
    """A vocabulary of terms (ours: early-years categories, and delivery method)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    description = models.TextField()
    # 2048 as DfE's importer allows: permalinks into a repository (DfE's categories) pass 200.
    uri = models.URLField(max_length=2048, blank=True)
    version = models.CharField(max_length=50, blank=True)
    code = models.SlugField(max_length=50, unique=True, help_text="Our stable key, e.g. category")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "taxonomies"

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.PROTECT, related_name="terms")
    code = models.SlugField(max_length=80, help_text="The term's code in its taxonomy")
    name = models.CharField(max_length=200)
    description = models.TextField()
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    term_uri = models.URLField(max_length=2048, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["taxonomy__name", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["taxonomy", "code"], name="directory_term_unique_code")
        ]

    def __str__(self) -> str:
        return self.name


class Organization(TrackedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    description = models.TextField()
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    logo = models.URLField(blank=True)
    uri = models.URLField(blank=True)
    parent_organization = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    is_council = models.BooleanField(
        default=False,
        help_text="Listings of the council's own organisations are edited without approval.",
    )
    editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="directory_organizations",
        help_text="Community group admins who may propose changes to this organisation's listings",
    )
    source = models.CharField(max_length=100, blank=True)
    source_reference = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_reference"],
                condition=~Q(source_reference=""),
                name="directory_organization_unique_source_reference",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Service(TrackedModel):
    """What is offered. `status` is the ORUK lifecycle; visibility dates hide a listing from
    the public before it starts or after it ends without changing its status."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="services"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    url = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    status = models.CharField(
        max_length=20, choices=ListingStatus.choices, default=ListingStatus.ACTIVE
    )
    fees_description = models.TextField(blank=True, help_text="ORUK `fees`")
    accreditations = models.TextField(blank=True)
    eligibility_description = models.TextField(blank=True)
    minimum_age = models.FloatField(null=True, blank=True, help_text="Years (0.5 = six months)")
    maximum_age = models.FloatField(null=True, blank=True, help_text="Years, inclusive")
    for_pregnancy = models.BooleanField(
        default=False, help_text="Open to expectant parents (before the baby is born)"
    )
    how_to_book = models.TextField(blank=True)
    assured_date = models.DateField(null=True, blank=True, help_text="When it was last checked")
    assurer_email = models.EmailField(blank=True)
    alert = models.TextField(blank=True)
    visible_from = models.DateField(null=True, blank=True)
    visible_until = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="directory_services",
        help_text="Who keeps the listing up to date (reminded when it is not checked)",
    )
    is_simulated = models.BooleanField(
        default=False, help_text="Simulated demo data, labelled as such wherever shown"
    )
    source = models.CharField(max_length=100, blank=True)
    source_reference = models.CharField(max_length=200, blank=True)
    terms = models.ManyToManyField(
        TaxonomyTerm, through="ServiceAttribute", related_name="services", blank=True
    )
    # Denormalised from ServiceAtLocation (kept in step by directory/search_columns.py), so
    # /find's "online, by phone or at home" list is an index scan, not an anti-join over
    # every listing (158 ms at 50,000 services, measured).
    has_venue = models.BooleanField(
        default=False, editable=False, help_text="Offered at one or more locations"
    )

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["status", "name"]),
            models.Index(
                fields=["name"],
                condition=Q(has_venue=False),
                name="directory_service_remote_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_reference"],
                condition=~Q(source_reference=""),
                name="directory_service_unique_source_reference",
            ),
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=True)
                | Q(maximum_age__isnull=True)
                | Q(minimum_age__lte=models.F("maximum_age")),
                name="directory_service_ages_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_visible_on(self, day: date) -> bool:
        return (
            self.status == ListingStatus.ACTIVE
            and (self.visible_from is None or self.visible_from <= day)
            and (self.visible_until is None or day <= self.visible_until)
        )


class ServiceAttribute(models.Model):
    """ORUK `attribute`: links a service to a taxonomy term (category, delivery method)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="attributes")
    taxonomy_term = models.ForeignKey(
        TaxonomyTerm, on_delete=models.PROTECT, related_name="attributes"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "taxonomy_term"], name="directory_attribute_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_id} → {self.taxonomy_term_id}"


class Location(TrackedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    location_type = models.CharField(
        max_length=10, choices=LocationType.choices, default=LocationType.PHYSICAL
    )
    name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    external_identifier = models.CharField(max_length=100, blank=True)
    external_identifier_type = models.CharField(max_length=100, blank=True)
    venue = models.ForeignKey(
        "geo.Venue",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="directory_locations",
    )
    is_family_base = models.BooleanField(default=False)
    source = models.CharField(max_length=100, blank=True)
    source_reference = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["latitude", "longitude"])]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_reference"],
                condition=~Q(source_reference=""),
                name="directory_location_unique_source_reference",
            )
        ]

    def __str__(self) -> str:
        return self.name or str(self.id)


class Address(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses")
    attention = models.CharField(max_length=200, blank=True)
    address_1 = models.CharField(max_length=200)
    address_2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=100, blank=True)
    state_province = models.CharField(max_length=100)
    postal_code = models.CharField(max_length=10, blank=True)
    country = models.CharField(max_length=2, default="GB")
    address_type = models.CharField(
        max_length=10, choices=LocationType.choices, default=LocationType.PHYSICAL
    )

    class Meta:
        ordering = ["address_1"]
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return f"{self.address_1}, {self.city} {self.postal_code}"


class Accessibility(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="accessibility")
    description = models.TextField(blank=True)
    details = models.TextField(blank=True)
    url = models.URLField(blank=True)

    class Meta:
        verbose_name_plural = "accessibility"

    def __str__(self) -> str:
        return self.description[:50] or str(self.id)


class ServiceAtLocation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    description = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "location"], name="directory_service_at_location_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_id} at {self.location_id}"


class Contact(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    name = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True)
    department = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)

    def __str__(self) -> str:
        return self.name or self.email or str(self.id)


class Phone(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    number = models.CharField(max_length=30)
    extension = models.CharField(max_length=10, blank=True)
    type = models.CharField(max_length=20, blank=True, help_text="text, voice, fax, cell, video…")
    description = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.number


class Schedule(models.Model):
    """When a service runs: an RRULE-style recurrence (freq, interval, byday, bymonthday from
    dtstart until `until`/`valid_to`), or a one-off event (no freq, a single `dtstart`).
    Times are local (Europe/London) wall-clock times, as people read them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="schedules",
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    dtstart = models.DateField(null=True, blank=True, help_text="First date (or the event date)")
    until = models.DateField(null=True, blank=True)
    freq = models.CharField(max_length=10, choices=Frequency.choices, blank=True)
    interval = models.PositiveSmallIntegerField(null=True, blank=True)
    byday = models.CharField(max_length=50, blank=True, help_text="e.g. MO,WE or 1MO (monthly)")
    bymonthday = models.CharField(max_length=50, blank=True)
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    description = models.TextField(blank=True)
    schedule_link = models.URLField(blank=True)
    attending_type = models.CharField(max_length=100, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["dtstart", "opens_at"]
        indexes = [models.Index(fields=["byday", "opens_at"])]

    def __str__(self) -> str:
        return self.description or f"{self.freq} {self.byday} {self.opens_at}–{self.closes_at}"


class CostOption(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cost_options")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    option = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    amount_description = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.option or str(self.amount)


class Language(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="languages")
    name = models.CharField(max_length=100)
    code = models.CharField(max_length=10, blank=True, help_text="ISO 639, e.g. pl")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceArea(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_areas")
    name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    extent = models.TextField(blank=True)
    extent_type = models.CharField(max_length=50, blank=True)
    uri = models.CharField(max_length=200, blank=True)
    district = models.ForeignKey(
        "geo.District", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return self.name or str(self.id)


class Funding(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="funding")
    source = models.TextField()

    def __str__(self) -> str:
        return self.source[:50]


# --- The approval queue for changes from outside the council --------------------------------


class ChangeStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class ListingChange(TrackedModel):
    """A proposed edit of a listing by someone outside the council (a community group admin),
    applied only when a manager approves it. `changes` maps field names to new values."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    changes = models.JSONField()
    status = models.CharField(
        max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Change to {self.service_id or 'a new listing'} ({self.status})"


# --- Advice ---------------------------------------------------------------------------------


class AdviceTopic(models.TextChoices):
    PREGNANCY = "pregnancy", "Pregnancy and birth"
    BABIES = "babies", "Babies"
    FEEDING = "feeding", "Feeding"
    TALKING = "talking", "Talking, play and learning"
    BEHAVIOUR = "behaviour", "Sleep, behaviour and routines"
    WELLBEING = "wellbeing", "Your wellbeing"
    SEND = "send", "Special educational needs and disabilities"
    MONEY = "money", "Money, work and housing"
    CHILDCARE = "childcare", "Childcare and starting school"


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class AdviceArticle(TrackedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300)
    body = models.TextField(help_text="Markdown")
    topic = models.CharField(max_length=20, choices=AdviceTopic.choices)
    status = models.CharField(
        max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_by = models.DateField()
    related_terms = models.ManyToManyField(
        TaxonomyTerm,
        blank=True,
        related_name="advice_articles",
        help_text="Services in these categories are linked from the article",
    )

    class Meta:
        ordering = ["topic", "title"]

    def __str__(self) -> str:
        return self.title


# --- Requests for support ------------------------------------------------------------------


class RequestStatus(models.TextChoices):
    NEW = "new", "New"
    OPENED = "opened", "Opened"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class Requester(models.TextChoices):
    FAMILY = "family", "A parent or carer asking for their own family"
    PROFESSIONAL = "professional", "A professional asking for a family, with their consent"


class ContactMethod(models.TextChoices):
    EMAIL = "email", "Email"
    TEXT = "text", "Text message"
    PHONE = "phone", "Phone call"


class SupportRequest(models.Model):
    """A request for help from a family (or a professional for a family, with consent).

    Personal data: only managers and family workers (of its district) may read it, and every
    read is audited (`selectors.support_request_get_for_user`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=12, unique=True)
    requester = models.CharField(max_length=20, choices=Requester.choices)
    name = models.CharField(max_length=200, help_text="The parent or carer")
    postcode = models.CharField(max_length=8)
    district = models.ForeignKey(
        "geo.District", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    children_ages = models.JSONField(
        default=list, help_text="Ages in years; -1 for an expected baby"
    )
    expecting_baby = models.BooleanField(default=False)
    help_with = models.JSONField(default=list, help_text="Category term codes")
    details = models.TextField(blank=True)
    contact_method = models.CharField(max_length=10, choices=ContactMethod.choices)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    best_times = models.CharField(max_length=200, blank=True)
    professional_name = models.CharField(max_length=200, blank=True)
    professional_organisation = models.CharField(max_length=200, blank=True)
    professional_email = models.EmailField(blank=True)
    family_consent = models.BooleanField(
        default=False, help_text="The family agreed that we hold and use this information"
    )
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.NEW
    )
    decline_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Taking a request on: who has it, and when the family was first contacted (the promise
    # on the form is contact within 5 working days).
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    contacted_at = models.DateTimeField(null=True, blank=True)
    contacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The family record made from (or linked to) this request: an id in the families app, not
    # a key, because the directory knows nothing of families (families sets it).
    family_record_id = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"Request {self.reference}"
