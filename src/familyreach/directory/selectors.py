"""Reads from the directory, each with a fixed number of queries (pinned in tests)."""

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, connections, models, router
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.sql.compiler import SQLCompiler
from django.http import Http404
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.core.audit import record_access
from familyreach.core.input import whole_number
from familyreach.directory import feed_quality, oruk, presentation, taxonomy
from familyreach.directory.feed_quality import ListingQuality
from familyreach.directory.models import (
    Accessibility,
    Address,
    AdviceArticle,
    AdviceTopic,
    ArticleStatus,
    ChangeStatus,
    Contact,
    CostOption,
    Funding,
    Language,
    ListingChange,
    ListingStatus,
    Location,
    Organization,
    Phone,
    RequestStatus,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceAttribute,
    SupportRequest,
    Taxonomy,
    TaxonomyTerm,
)
from familyreach.directory.schedules import DAY_WORDS, describe
from familyreach.geo.distance import bounding_box, haversine_km

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def services_public(*, today: date | None = None) -> QuerySet[Service]:
    """Listings the public may see today: active and inside their visibility window."""
    today = today or timezone.localdate()
    return Service.objects.filter(status=ListingStatus.ACTIVE).filter(
        Q(visible_from__isnull=True) | Q(visible_from__lte=today),
        Q(visible_until__isnull=True) | Q(visible_until__gte=today),
    )


def service_full_prefetches() -> list[Any]:
    """A service's related rows, each list in a total order (the model's ordering, then the id):
    without the id, ties (two schedules at the same time, unordered attributes) come back in
    whatever order the database plan gives, so two exports of the same data could differ."""
    return [
        Prefetch("schedules", queryset=_ordered(Schedule)),
        Prefetch("service_areas", queryset=_ordered(ServiceArea)),
        Prefetch("languages", queryset=_ordered(Language)),
        Prefetch("funding", queryset=_ordered(Funding)),
        Prefetch("cost_options", queryset=_ordered(CostOption)),
        Prefetch("contacts", queryset=_contacts_with_phones()),
        Prefetch(
            "attributes",
            queryset=ServiceAttribute.objects.select_related("taxonomy_term__taxonomy").order_by(
                "taxonomy_term__taxonomy__name",
                "taxonomy_term__position",
                "taxonomy_term__name",
                "pk",
            ),
        ),
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.select_related("location")
            .order_by("location__name", "pk")
            .prefetch_related(
                Prefetch("location__addresses", queryset=_ordered(Address)),
                Prefetch("location__accessibility", queryset=_ordered(Accessibility)),
            ),
        ),
    ]


def _ordered(model: type[models.Model]) -> QuerySet[Any]:
    """The model's own ordering with the id last, so rows that tie come back the same each time."""
    return model._default_manager.order_by(*(model._meta.ordering or []), "pk")


def _contacts_with_phones() -> QuerySet[Any]:
    return _ordered(Contact).prefetch_related(Prefetch("phones", queryset=_ordered(Phone)))


def services_published(*, today: date | None = None) -> QuerySet[Service]:
    """Listings published in the API and on their own page: active or temporarily closed (so
    families and other directories learn of the closure), inside the visibility window.
    Search (/find) shows only active ones (`services_public`)."""
    today = today or timezone.localdate()
    return Service.objects.filter(
        status__in=[ListingStatus.ACTIVE, ListingStatus.TEMPORARILY_CLOSED]
    ).filter(
        Q(visible_from__isnull=True) | Q(visible_from__lte=today),
        Q(visible_until__isnull=True) | Q(visible_until__gte=today),
    )


def service_get_public(*, service_id: UUID | str) -> Service:
    """One published listing with everything its page and its ORUK record show."""
    try:
        return (
            services_published()
            .select_related("organization")
            .prefetch_related(*service_full_prefetches())
            .get(pk=service_id)
        )
    except (Service.DoesNotExist, ValueError) as error:
        raise Http404("No such service") from error


# --- Filters shared by /find and the ORUK API ----------------------------------------------


@dataclass(frozen=True)
class ScheduleFilter:
    day: str | None = None  # MO..SU
    starts_at_or_after: time | None = None
    ends_at_or_before: time | None = None

    @property
    def active(self) -> bool:
        return bool(self.day or self.starts_at_or_after or self.ends_at_or_before)


def filter_schedule(queryset: QuerySet[Service], wanted: ScheduleFilter) -> QuerySet[Service]:
    """Services with at least one schedule meeting every condition at once (AND on one row)."""
    if not wanted.active:
        return queryset
    schedules = Schedule.objects.filter(service=OuterRef("pk"))
    if wanted.day:
        # byday holds RRULE days ("MO,WE" or monthly "1MO"); match the two-letter code.
        schedules = schedules.filter(byday__contains=wanted.day)
    if wanted.starts_at_or_after:
        schedules = schedules.filter(opens_at__gte=wanted.starts_at_or_after)
    if wanted.ends_at_or_before:
        schedules = schedules.filter(closes_at__lte=wanted.ends_at_or_before)
    return queryset.filter(Exists(schedules))


def filter_term(queryset: QuerySet[Service], term_id: UUID) -> QuerySet[Service]:
    return queryset.filter(
        Exists(ServiceAttribute.objects.filter(service=OuterRef("pk"), taxonomy_term_id=term_id))
    )


def filter_term_codes(
    queryset: QuerySet[Service], taxonomy_code: str, codes: Sequence[str]
) -> QuerySet[Service]:
    """Services with any of these terms of one taxonomy."""
    if not codes:
        return queryset
    return queryset.filter(
        Exists(
            ServiceAttribute.objects.filter(
                service=OuterRef("pk"),
                taxonomy_term__taxonomy__code=taxonomy_code,
                taxonomy_term__code__in=list(codes),
            )
        )
    )


def filter_taxonomy(queryset: QuerySet[Service], taxonomy_id: UUID) -> QuerySet[Service]:
    return queryset.filter(
        Exists(
            ServiceAttribute.objects.filter(
                service=OuterRef("pk"), taxonomy_term__taxonomy_id=taxonomy_id
            )
        )
    )


def filter_search(queryset: QuerySet[Service], text: str) -> QuerySet[Service]:
    for word in text.split()[:8]:
        queryset = queryset.filter(
            Q(name__icontains=word)
            | Q(description__icontains=word)
            | Q(organization__name__icontains=word)
        )
    return queryset


def filter_free(queryset: QuerySet[Service]) -> QuerySet[Service]:
    return queryset.exclude(Exists(CostOption.objects.filter(service=OuterRef("pk"), amount__gt=0)))


def filter_child_age(queryset: QuerySet[Service], age: float) -> QuerySet[Service]:
    """Services a child of this age (years) can go to; open-ended ages count as open."""
    return queryset.filter(
        Q(minimum_age__isnull=True) | Q(minimum_age__lte=age),
        Q(maximum_age__isnull=True) | Q(maximum_age__gte=age),
    )


def filter_language(queryset: QuerySet[Service], language: str) -> QuerySet[Service]:
    return queryset.filter(languages__name__iexact=language).distinct()


# --- Distance -------------------------------------------------------------------------------


def bounding_box_degrees(
    latitude: float, longitude: float, radius_km: float
) -> tuple[float, float, float, float]:
    """(south, north, west, east) that contains every point within radius_km (a prefilter)."""
    return bounding_box(latitude, longitude, radius_km)


def distances_km(
    latitude: float, longitude: float, latitudes: Sequence[float], longitudes: Sequence[float]
) -> list[float]:
    if not latitudes:
        return []
    return [float(d) for d in haversine_km(latitude, longitude, list(latitudes), list(longitudes))]


@dataclass(frozen=True)
class ListingCard:
    """What a search result shows of one listing at one place (or with no place), in words.
    The same listing turns up in many searches (every nearby postcode), so cards are built
    once and kept (`caches.listing_cards`); only the distance differs between searches."""

    service_id: UUID
    name: str
    is_simulated: bool
    when: str  # the first schedule in words; "" when there is none
    cost: str  # "Free", the fees in words, or the first price
    # Where: left empty for a service with no venue (online, by phone, at home).
    place: str = ""  # the location's name
    # "1 High Street, Town, NR1 1AA" (addresses joined by "; "), without the venue's name again
    address: str = ""
    towns: str = ""  # "Town" for each address, for the short list of matches further away
    is_family_base: bool = False
    is_run_by_local_parents: bool = False  # the peer-led mark (a provider-type attribute)
    latitude: float | None = None
    longitude: float | None = None
    # Where the listing came from: /find asks the booking pages about sessions only
    # (BOOKABLE_SOURCE), so a page of other listings makes no booking query.
    source: str = ""


# The source of the listings delivery publishes for its sessions (delivery.publishing.SOURCE,
# which the directory cannot import: it sits below delivery; a test keeps the two equal).
BOOKABLE_SOURCE = "familyreach.delivery"


@dataclass(frozen=True)
class Nearby:
    card: ListingCard
    distance_km: float

    @property
    def distance_miles(self) -> float:
        return self.distance_km / 1.609344


def service_cost_words(service: Service) -> str:
    """ "Free", or the fees in words, or the first price (the costs must be prefetched)."""
    paid = [option for option in service.cost_options.all() if option.amount]
    if not paid:
        return "Free"
    return service.fees_description or f"£{paid[0].amount:.2f}"


def service_first_session_words(service: Service) -> str:
    """The first schedule in words, or "" (the schedules must be prefetched)."""
    first = next(iter(service.schedules.all()), None)
    return describe(first) if first is not None else ""


class PointInBox(Func):
    """PostgreSQL: `point(longitude, latitude) <@ box(...)`, the form the GiST index on
    directory_location answers (it is an expression index, so the query must spell the same
    expression). Used only on PostgreSQL; other databases compare the columns."""

    output_field = BooleanField()

    def __init__(
        self, longitude: Any, latitude: Any, *, west: float, south: float, east: float, north: float
    ) -> None:
        super().__init__(
            longitude,
            latitude,
            *(Value(float(edge)) for edge in (west, south, east, north)),
        )

    def as_sql(self, compiler: SQLCompiler, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        parts: list[str] = []
        params: list[Any] = []
        for expression in self.get_source_expressions():
            sql, expression_params = compiler.compile(expression)
            parts.append(sql)
            params.extend(expression_params)
        longitude, latitude, west, south, east, north = parts
        return (
            f"point({longitude}, {latitude}) <@ "
            f"box(point({west}, {south}), point({east}, {north}))",
            params,
        )


# Stand-ins for the box's edges while a candidates query is compiled: found again among the
# compiled parameters and replaced by each search's own box. Far outside any latitude or
# longitude, so they cannot be mistaken for another parameter of the query.
_BOX_STAND_INS = (-1001.25, -1002.25, -1003.25, -1004.25)  # west, south, east, north
# Compiled candidates queries, per process: (vendor, what the services are) -> (SQL, its
# parameters, where the box's four edges are among them). Bounded: a new day's date or an
# unusual mix of filters adds entries, so the oldest are dropped past this many.
_COMPILED_MAX = 512
_compiled_candidates: dict[tuple[Any, ...], tuple[str, list[Any], list[int]]] = {}


def _candidates_queryset(
    services: QuerySet[Service],
    *,
    vendor: str,
    west: float,
    south: float,
    east: float,
    north: float,
    family_bases_only: bool,
) -> QuerySet[Any]:
    rows = ServiceAtLocation.objects.filter(service__in=services)
    if vendor == "postgresql":
        # The GiST index on point(longitude, latitude) (migration 0005) finds the box's few
        # hundred places directly, and its estimate makes the planner start from them; with
        # the B-tree ranges it started from every service matching the filters, England-wide
        # (docs/decisions/0012-search-index.md). `<@` counts the edges (and PostgreSQL's
        # geometric fuzz of 1e-6 degrees) as inside, so it finds every row the ranges did.
        rows = rows.filter(
            PointInBox(
                F("location__longitude"),
                F("location__latitude"),
                west=west,
                south=south,
                east=east,
                north=north,
            )
        )
    else:
        rows = rows.filter(
            location__latitude__gte=south,
            location__latitude__lte=north,
            location__longitude__gte=west,
            location__longitude__lte=east,
        )
    if family_bases_only:
        rows = rows.filter(location__is_family_base=True)
    return rows.values_list(
        "id", "service_id", "location__latitude", "location__longitude", "service__name"
    )


def _compile_candidates(
    services: QuerySet[Service], *, alias: str, vendor: str, family_bases_only: bool
) -> tuple[str, list[Any], list[int]]:
    """The candidates query as SQL with the box's edges as stand-ins, and their positions."""
    west, south, east, north = _BOX_STAND_INS
    rows = _candidates_queryset(
        services,
        vendor=vendor,
        west=west,
        south=south,
        east=east,
        north=north,
        family_bases_only=family_bases_only,
    )
    sql, params = rows.query.get_compiler(using=alias).as_sql()
    positions = [list(params).index(edge) for edge in _BOX_STAND_INS]
    return sql, list(params), positions


def services_at_locations_near(
    *,
    services: QuerySet[Service] | Callable[[], QuerySet[Service]],
    latitude: float,
    longitude: float,
    radius_km: float,
    family_bases_only: bool = False,
    compiled_key: Hashable | None = None,
) -> list[tuple[UUID, UUID, float]]:
    """(service_at_location id, service id, km) within the radius, nearest first.

    A bounding box on the indexed latitude/longitude columns cuts the candidates, then the
    exact haversine distance decides.

    `compiled_key`, when given, names what `services` holds (every filter and the date it
    depends on): the query is then compiled once per process for that key and run again as
    SQL with each search's box, and `services` may be a function called only when it is
    compiled. Building and compiling the ORM query cost a built /find page more CPU than
    PostgreSQL took to answer it (docs/benchmarks.md, "CPU per built page")."""
    south, north, west, east = bounding_box_degrees(latitude, longitude, radius_km)
    alias = router.db_for_read(ServiceAtLocation) or DEFAULT_DB_ALIAS
    vendor = connections[alias].vendor
    if compiled_key is None:
        queryset = services() if callable(services) else services
        candidates: list[tuple[Any, ...]] = list(
            _candidates_queryset(
                queryset,
                vendor=vendor,
                west=west,
                south=south,
                east=east,
                north=north,
                family_bases_only=family_bases_only,
            ).using(alias)
        )
    else:
        key = (vendor, family_bases_only, compiled_key)
        compiled = _compiled_candidates.get(key)
        if compiled is None:
            queryset = services() if callable(services) else services
            compiled = _compile_candidates(
                queryset, alias=alias, vendor=vendor, family_bases_only=family_bases_only
            )
            if len(_compiled_candidates) >= _COMPILED_MAX:
                _compiled_candidates.pop(next(iter(_compiled_candidates)))
            _compiled_candidates[key] = compiled
        sql, params, positions = compiled
        params = list(params)
        for position, edge in zip(positions, (west, south, east, north), strict=True):
            params[position] = edge
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            # SQLite hands back UUIDs as their hex text (the ORM converts them; raw SQL does
            # not); PostgreSQL as UUIDs.
            candidates = [
                (_as_uuid(row[0]), _as_uuid(row[1]), row[2], row[3], row[4])
                for row in cursor.fetchall()
            ]
    # The bounding box excluded locations without a position, so these are never None.
    kms = distances_km(
        latitude,
        longitude,
        [row[2] or 0.0 for row in candidates],
        [row[3] or 0.0 for row in candidates],
    )
    # Ties (several services at one venue) are broken by name, then id, so paging is stable.
    within = sorted(
        (
            (km, row[4], str(row[0]), row[0], row[1])
            for row, km in zip(candidates, kms, strict=True)
            if km <= radius_km + 1e-9
        ),
        key=lambda item: item[:3],
    )
    return [(item[3], item[4], item[0]) for item in within]


def _as_uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)


def listing_cards_build(ids: Sequence[UUID]) -> dict[UUID, ListingCard]:
    """Cards for these service-at-location ids, from the database (4 queries)."""
    # Only what a result row shows: the load test found each extra prefetch costs every search.
    rows = (
        ServiceAtLocation.objects.filter(pk__in=list(ids))
        .select_related("service", "location")
        .prefetch_related("location__addresses", "service__schedules", "service__cost_options")
        .annotate(run_by_local_parents=_run_by_local_parents(OuterRef("service_id")))
    )
    cards = {}
    for row in rows:
        location = row.location
        addresses = list(location.addresses.all())
        towns = [presentation.town(a, location_name=location.name) for a in addresses]
        cards[row.pk] = _card(
            row.service,
            place=location.name,
            address="; ".join(
                presentation.address_line(a, location_name=location.name) for a in addresses
            ),
            towns=", ".join(town for town in towns if town),
            is_family_base=location.is_family_base,
            is_run_by_local_parents=row.run_by_local_parents,
            latitude=location.latitude,
            longitude=location.longitude,
        )
    return cards


def service_cards_build(ids: Sequence[UUID]) -> dict[UUID, ListingCard]:
    """Cards for services with no venue (online, by phone, at home), by service id."""
    services = (
        Service.objects.filter(pk__in=list(ids))
        .prefetch_related("schedules", "cost_options")
        .annotate(run_by_local_parents=_run_by_local_parents(OuterRef("pk")))
    )
    return {
        service.pk: _card(service, is_run_by_local_parents=service.run_by_local_parents)
        for service in services
    }


def _run_by_local_parents(service_id: Any) -> Exists:
    """Whether the service carries the "run by local parents" mark: a subquery in the cards'
    own query, so the mark costs a search no extra query."""
    return Exists(
        ServiceAttribute.objects.filter(
            service_id=service_id,
            taxonomy_term__taxonomy__code=taxonomy.PROVIDER_TAXONOMY,
            taxonomy_term__code=taxonomy.RUN_BY_LOCAL_PARENTS_CODE,
        )
    )


def service_is_run_by_local_parents(service: Service) -> bool:
    """For a service whose attributes and their terms are prefetched (the service page)."""
    return any(
        attribute.taxonomy_term.code == taxonomy.RUN_BY_LOCAL_PARENTS_CODE
        and attribute.taxonomy_term.taxonomy.code == taxonomy.PROVIDER_TAXONOMY
        for attribute in service.attributes.all()
    )


def _card(service: Service, **where: Any) -> ListingCard:
    """A service's card (its schedules and costs prefetched), at the place `where` says."""
    return ListingCard(
        service_id=service.pk,
        name=service.name,
        is_simulated=service.is_simulated,
        when=service_first_session_words(service),
        cost=service_cost_words(service),
        source=service.source,
        **where,
    )


# --- ORUK lists -----------------------------------------------------------------------------


def taxonomies_all() -> QuerySet[Taxonomy]:
    return Taxonomy.objects.order_by("name", "id")


def taxonomy_terms_all() -> QuerySet[TaxonomyTerm]:
    return TaxonomyTerm.objects.select_related("taxonomy").order_by(
        "taxonomy__name", "position", "name", "id"
    )


def organizations_all() -> QuerySet[Organization]:
    return Organization.objects.order_by("name", "id")


def locations_with_services() -> QuerySet[Location]:
    return Location.objects.filter(service_at_locations__isnull=False).distinct()


# --- Assurance ------------------------------------------------------------------------------


def assurance_cutoff(today: date) -> date:
    return today - timedelta(days=settings.DIRECTORY_ASSURANCE_DAYS)


def services_unassured(*, today: date | None = None) -> QuerySet[Service]:
    """Active listings not checked within the assurance period (never checked included)."""
    today = today or timezone.localdate()
    return (
        Service.objects.filter(status=ListingStatus.ACTIVE)
        .filter(Q(assured_date__isnull=True) | Q(assured_date__lt=assurance_cutoff(today)))
        .select_related("owner", "organization")
        .order_by("assured_date", "name")
    )


def services_for_editor(*, user: User) -> QuerySet[Service]:
    services = Service.objects.select_related("organization", "owner").order_by("name")
    if user.is_superuser or user.has_role(Role.MANAGER):
        return services
    return services.filter(organization__editors=user)


def organizations_for_editor(*, user: User) -> QuerySet[Organization]:
    if user.is_superuser or user.has_role(Role.MANAGER):
        return Organization.objects.order_by("name")
    return Organization.objects.filter(editors=user).order_by("name")


# --- Advice ---------------------------------------------------------------------------------


def advice_published(*, search: str = "", topic: str = "") -> QuerySet[AdviceArticle]:
    articles = AdviceArticle.objects.filter(status=ArticleStatus.PUBLISHED)
    if topic:
        articles = articles.filter(topic=topic)
    for word in search.split()[:8]:
        # A topic's name counts too: "sleep" finds the articles filed under "Sleep, behaviour
        # and routines" even where none says the word.
        topics = [value for value, label in AdviceTopic.choices if word.lower() in label.lower()]
        articles = articles.filter(
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(body__icontains=word)
            | Q(topic__in=topics)
        )
    return articles.order_by("topic", "title")


def advice_get_published(*, slug: str) -> AdviceArticle:
    try:
        return AdviceArticle.objects.prefetch_related("related_terms").get(
            slug=slug, status=ArticleStatus.PUBLISHED
        )
    except AdviceArticle.DoesNotExist as error:
        raise Http404("No such article") from error


# --- Requests for support (personal data) ---------------------------------------------------


def _may_triage(user: User) -> bool:
    return user.is_superuser or user.has_role(Role.MANAGER, Role.FAMILY_WORKER)


def support_requests_for_user(*, user: User) -> QuerySet[SupportRequest]:
    """The requests this user may see: managers and family workers, for their district (or
    every district, for an account marked `all_districts`); none without a district."""
    if not _may_triage(user):
        raise PermissionDenied("You cannot see requests for support.")
    requests = SupportRequest.objects.select_related("district").order_by("-created_at")
    return requests.filter(user.in_district_filter("district"))


def support_requests_open_for_user(*, user: User) -> QuerySet[SupportRequest]:
    """Requests not yet accepted or declined, oldest first (the 5 working days run from
    when each was sent), with who has taken each on."""
    return (
        support_requests_for_user(user=user)
        .filter(status__in=[RequestStatus.NEW, RequestStatus.OPENED])
        .select_related("assigned_to", "contacted_by")
        .order_by("created_at")
    )


def support_requests_new_count(*, user: User) -> int | None:
    """How many requests no one has opened yet, for the user's landing page; None for a role
    that does not see requests (so the page shows nothing rather than 0)."""
    if not _may_triage(user):
        return None
    return support_requests_for_user(user=user).filter(status=RequestStatus.NEW).count()


def help_with_labels(codes: Iterable[str]) -> dict[str, str]:
    """The category names a family chose on the form ("infant-feeding" → "Infant feeding")."""
    return dict(TaxonomyTerm.objects.filter(code__in=set(codes)).values_list("code", "name"))


def support_request_get_for_user(*, user: User, request_id: UUID | str) -> SupportRequest:
    """Fetch, authorise and audit the read of one request for support."""
    try:
        support_request = support_requests_for_user(user=user).get(pk=request_id)
    except (SupportRequest.DoesNotExist, ValueError) as error:
        raise Http404("No such request") from error
    record_access(instance=support_request, user=user)
    return support_request


def miles_to_km(miles: float) -> float:
    return miles * 1.609344


# --- /find ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FindFilters:
    age: str = ""  # "", "pregnancy", or whole years "0".."5"
    categories: tuple[str, ...] = ()
    days: tuple[str, ...] = ()
    times_of_day: tuple[tuple[time, time], ...] = ()  # start time within [from, to)
    free_only: bool = False
    delivery: tuple[str, ...] = ()
    language: str = ""
    family_bases: bool = False
    run_by_local_parents: bool = False


@dataclass
class FindResults:
    nearby: list[Nearby]
    total: int
    page: int
    per_page: int
    remote: list[ListingCard]
    nearest_beyond: list[Nearby]

    @property
    def total_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def services_matching(filters: FindFilters) -> QuerySet[Service]:
    services = services_public()
    if filters.age == "pregnancy":
        services = services.filter(for_pregnancy=True)
    elif (age := whole_number(filters.age)) is not None:
        services = filter_child_age(services, float(age))
    services = filter_term_codes(services, taxonomy.CATEGORY_TAXONOMY, filters.categories)
    services = filter_term_codes(services, taxonomy.DELIVERY_TAXONOMY, filters.delivery)
    if filters.run_by_local_parents:
        services = filter_term_codes(
            services, taxonomy.PROVIDER_TAXONOMY, (taxonomy.RUN_BY_LOCAL_PARENTS_CODE,)
        )
    if filters.free_only:
        services = filter_free(services)
    if filters.language:
        services = filter_language(services, filters.language)
    if filters.days or filters.times_of_day:
        schedules = Schedule.objects.filter(service=OuterRef("pk"))
        if filters.days:
            any_day = Q()
            for day in filters.days:
                any_day |= Q(byday__contains=day)
            schedules = schedules.filter(any_day)
        if filters.times_of_day:
            any_time = Q()
            for start, end in filters.times_of_day:
                any_time |= Q(opens_at__gte=start, opens_at__lt=end)
            schedules = schedules.filter(any_time)
        services = services.filter(Exists(schedules))
    return services


def find_services(
    *,
    latitude: float,
    longitude: float,
    district_code: str | None,
    radius_miles: float,
    filters: FindFilters,
    page: int = 1,
    per_page: int = 10,
) -> FindResults:
    """Listings near a place, nearest first, one row per service at a location; plus services
    with no venue (online, by phone, home visits) that cover the place's district.

    When nothing is near, the nearest matches up to 25 miles are returned so the page can
    suggest widening the search and name the towns where there is something."""

    # Built only when needed: the candidates query is compiled once per process for these
    # filters and today's date, and the remote list is kept with the cards.
    def services() -> QuerySet[Service]:
        return services_matching(filters)

    compiled_key = (filters, timezone.localdate())
    nearby = services_at_locations_near(
        services=services,
        latitude=latitude,
        longitude=longitude,
        radius_km=miles_to_km(radius_miles),
        family_bases_only=filters.family_bases,
        compiled_key=compiled_key,
    )
    from familyreach.directory.caches import kept_ids, listing_cards

    chosen = nearby[(page - 1) * per_page : page * per_page]
    cards = listing_cards([row[0] for row in chosen], build=listing_cards_build)
    results = [Nearby(cards[row[0]], row[2]) for row in chosen]
    nearest_beyond: list[Nearby] = []
    if not nearby:
        wider = services_at_locations_near(
            services=services,
            latitude=latitude,
            longitude=longitude,
            radius_km=miles_to_km(25),
            family_bases_only=filters.family_bases,
            compiled_key=compiled_key,
        )[:3]
        wider_cards = listing_cards([row[0] for row in wider], build=listing_cards_build)
        nearest_beyond = [Nearby(wider_cards[row[0]], row[2]) for row in wider]
    remote: list[ListingCard] = []
    if not filters.family_bases:

        def remote_ids_build() -> list[UUID]:
            remote_services = (
                services()
                .filter(has_venue=False)
                .filter(
                    ~Exists(ServiceArea.objects.filter(service=OuterRef("pk")))
                    | Exists(
                        ServiceArea.objects.filter(
                            service=OuterRef("pk"), district__code=district_code or ""
                        )
                    )
                )
                .order_by("name", "id")
            )
            return list(remote_services.values_list("id", flat=True)[:20])

        # The same for every postcode in the district: kept with the cards, so a search not
        # seen before does not build it again (docs/decisions/0012-search-index.md).
        remote_ids = kept_ids("remote", (filters, district_code or ""), remote_ids_build)
        remote_cards = listing_cards(remote_ids, kind="service", build=service_cards_build)
        remote = [remote_cards[i] for i in remote_ids]
    return FindResults(
        nearby=results,
        total=len(nearby),
        page=page,
        per_page=per_page,
        remote=remote,
        nearest_beyond=nearest_beyond,
    )


def languages_offered() -> list[str]:
    from familyreach.directory import caches

    return caches.languages_offered()


def listing_changes_pending() -> QuerySet[ListingChange]:
    """Changes proposed by community group admins, waiting for a council editor, oldest first."""
    return ListingChange.objects.filter(status=ChangeStatus.PENDING).select_related(
        "service", "organization", "created_by"
    )


def listing_changes_proposed_by(*, user: User) -> QuerySet[ListingChange]:
    """A proposer's own changes, latest first, with the outcome and any reason for a refusal."""
    return (
        ListingChange.objects.filter(created_by=user)
        .select_related("service", "organization", "decided_by")
        .order_by("-created_at")
    )


# What each editable field is called on the edit form, so the approver reads the same words
# the proposer did.
FIELD_LABELS = {
    "name": "Name",
    "description": "Description",
    "status": "Status",
    "minimum_age": "Youngest age",
    "maximum_age": "Oldest age",
    "for_pregnancy": "Open to expectant parents",
    "fees_description": "Cost, in words",
    "how_to_book": "How to book",
    "url": "Website",
    "email": "Email address",
    "alert": "Alert (for example a closure)",
    "categories": "Type of support",
    "delivery_methods": "How it is delivered",
    "location_id": "Where",
    "weekly_times": "When, every week",
    "cost_amount": "Price per session",
}
NOT_SET = "Not set"


@dataclass(frozen=True)
class ChangeRow:
    """One changed field in words: what it is, what it was (None for a new listing), what it
    would become."""

    label: str
    proposed: str
    current: str | None


def service_current_values(service: Service) -> dict[str, Any]:
    """A listing as an edit proposes it (the shape of `ListingChange.changes`), to compare."""
    from familyreach.directory import taxonomy

    values: dict[str, Any] = {
        name: getattr(service, name)
        for name in FIELD_LABELS
        if name
        not in ("categories", "delivery_methods", "location_id", "weekly_times", "cost_amount")
    }
    by_taxonomy: dict[str, list[str]] = {}
    for attribute in service.attributes.select_related("taxonomy_term__taxonomy"):
        term = attribute.taxonomy_term
        by_taxonomy.setdefault(term.taxonomy.code, []).append(term.code)
    values["categories"] = by_taxonomy.get(taxonomy.CATEGORY_TAXONOMY, [])
    values["delivery_methods"] = by_taxonomy.get(taxonomy.DELIVERY_TAXONOMY, [])
    place = service.service_at_locations.order_by("pk").first()
    values["location_id"] = str(place.location_id) if place else ""
    values["weekly_times"] = [
        {
            "day": schedule.byday.split(",")[0],
            "opens_at": f"{schedule.opens_at:%H:%M}" if schedule.opens_at else "",
            "closes_at": f"{schedule.closes_at:%H:%M}" if schedule.closes_at else "",
        }
        for schedule in service.schedules.filter(freq="WEEKLY").order_by("byday", "opens_at")
    ]
    cost = service.cost_options.exclude(amount=None).first()
    values["cost_amount"] = str(cost.amount) if cost else ""
    return values


def _comparable(field: str, value: Any) -> Any:
    """Two values that mean the same compare equal: "" and None, 2 and 2.0, "2.50" and "2.5",
    the same categories in another order."""
    if value in ("", None, []):
        return None
    if field in ("categories", "delivery_methods"):
        return sorted(value)
    if field == "weekly_times":
        return sorted((row.get("day"), row.get("opens_at"), row.get("closes_at")) for row in value)
    if field in ("minimum_age", "maximum_age"):
        return float(value)
    if field == "cost_amount":
        try:
            return Decimal(str(value)).normalize()
        except InvalidOperation:
            return str(value)
    if field == "location_id":
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return value


def _years(value: Any) -> str:
    years = float(value)
    if years == 0:
        return "From birth"
    if years < 1:
        months = round(years * 12)
        return f"{months} month{'' if months == 1 else 's'}"
    shown = f"{years:g}"
    return f"{shown} year{'' if years == 1 else 's'}"


def _in_words(field: str, value: Any, terms: dict[str, str]) -> str:
    """A value as a person reads it: labels for choices and categories, Yes/No, Not set."""
    if field == "for_pregnancy":
        return "Yes" if value else "No"
    if field == "location_id":
        place = Location.objects.filter(pk=value).first() if value else None
        return place.name if place else "No fixed place (online, by phone or at home)"
    if field == "weekly_times":
        return (
            "; ".join(
                f"{DAY_WORDS.get(row['day'], row['day'])} {row['opens_at']} to {row['closes_at']}"
                for row in value or []
            )
            or "No weekly times"
        )
    if field == "cost_amount":
        return f"£{Decimal(str(value)):.2f}" if value not in ("", None) else "Free"
    if value in ("", None, []):
        return NOT_SET
    if field == "status":
        return str(dict(ListingStatus.choices).get(value, value))
    if field in ("minimum_age", "maximum_age"):
        return _years(value)
    if field in ("categories", "delivery_methods"):
        return ", ".join(terms.get(code, code) for code in value)
    return str(value)


def listing_change_rows(change: ListingChange) -> list[ChangeRow]:
    """A proposed change in words for the approver: only the fields it changes (for a new
    listing, the fields it sets), each with its label and human values."""
    service = change.service
    current = service_current_values(service) if service is not None else {}
    codes = [
        code
        for values in (change.changes, current)
        for name in ("categories", "delivery_methods")
        for code in values.get(name) or []
    ]
    terms = dict(TaxonomyTerm.objects.filter(code__in=codes).values_list("code", "name"))
    rows = []
    for field in FIELD_LABELS:
        if field not in change.changes:
            continue
        value = change.changes[field]
        if service is None:
            if _comparable(field, value) is None:
                continue
            rows.append(ChangeRow(FIELD_LABELS[field], _in_words(field, value, terms), None))
            continue
        if _comparable(field, value) == _comparable(field, current.get(field)):
            continue
        rows.append(
            ChangeRow(
                FIELD_LABELS[field],
                _in_words(field, value, terms),
                _in_words(field, current.get(field), terms),
            )
        )
    return rows


# --- Listing quality: what the feed's consumers would refuse ---------------------------------


def listing_quality_for_editor(
    *, user: User, today: date | None = None
) -> tuple[int, list[ListingQuality]]:
    """(how many published listings the user looks after, those that fail a feed-quality rule
    worst first), judged on the very record the ORUK API publishes for each."""
    today = today or timezone.localdate()
    published = services_published(today=today).filter(
        pk__in=services_for_editor(user=user).values("pk")
    )
    rows = (
        published.select_related("organization")
        .prefetch_related(*service_full_prefetches())
        .order_by("name", "pk")
    )
    records = [oruk.service_full(service) for service in rows.iterator(chunk_size=500)]
    return len(records), feed_quality.failing_listings(records, today=today)
