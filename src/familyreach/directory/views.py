"""Pages: validate input, call one selector or service, render."""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from markupsafe import escape

from familyreach.accounts.models import User
from familyreach.core.input import get_object_or_404
from familyreach.core.ratelimit import seconds_to_wait
from familyreach.directory import (
    caches,
    content,
    forms,
    schedules,
    selectors,
    services,
    taxonomy,
)
from familyreach.directory.models import (
    AdviceArticle,
    AdviceTopic,
    ChangeStatus,
    ListingChange,
    Organization,
    RequestStatus,
    Service,
    TaxonomyTerm,
)
from familyreach.geo.models import Postcode
from familyreach.geo.postcodes import InvalidPostcode, normalise_postcode
from familyreach.geo.selectors import LookupProblem, PlaceNotFound

RESULTS_PER_PAGE = 10


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


# --- Public: find ---------------------------------------------------------------------------


def find(request: HttpRequest) -> HttpResponse:
    """Search by postcode or place. A GET form, so results can be linked and shared."""
    languages = selectors.languages_offered()
    # Links from advice pages carry filters but no postcode yet: show them chosen, no error.
    searched = "postcode" in request.GET
    initial = {key: request.GET.getlist(key) for key in ("category", "day", "delivery")}
    # The radius searched is written into the form, so the distance list shows it and the
    # next submit (applying a filter) searches the same distance: a search from the front
    # door sends no radius, and the list used to show its first choice, 1 mile.
    query = request.GET.copy()
    if not query.get("radius"):
        query["radius"] = forms.DEFAULT_RADIUS
    form = forms.FindForm(query if searched else None, initial=initial, languages=languages)
    valid = searched and form.is_valid()
    context: dict[str, Any] = {
        "form": form,
        "searched": searched,
        "suggestion": None,
        "filters_html": _filters_html(request, form, searched=searched, languages=languages),
    }
    if not valid:
        return _render_find(request, form, context)
    data = form.cleaned_data
    try:
        place = caches.place_lookup_cached(data["postcode"])
    except LookupProblem as problem:
        form.add_error("postcode", problem.message)
        if isinstance(problem, PlaceNotFound):
            context["suggestion"] = problem.suggestion
        return _render_find(request, form, context)
    filters = selectors.FindFilters(
        age=data["age"],
        categories=tuple(data["category"]),
        days=tuple(data["day"]),
        times_of_day=tuple(forms.TIME_OF_DAY[key][1:] for key in data["time_of_day"]),
        free_only=data["free"],
        delivery=tuple(data["delivery"]),
        language=data["language"],
        family_bases=data["family_bases"],
        run_by_local_parents=data["run_by_local_parents"],
    )
    radius = data["radius"] or int(forms.DEFAULT_RADIUS)
    results = selectors.find_services(
        latitude=place.latitude,
        longitude=place.longitude,
        district_code=place.district.code if place.district else None,
        radius_miles=radius,
        filters=filters,
        page=data["page"] or 1,
        per_page=RESULTS_PER_PAGE,
    )
    query.pop("page", None)
    base_query = query.urlencode()
    carried = _searched(postcode=data["postcode"], age=data["age"] or "", radius=radius)
    wider = [r for r in (2, 5, 10, 20) if r > radius]
    service_href = _service_href_maker()
    context.update(
        {
            "place": place,
            "radius": radius,
            "results": results,
            "pagination": _pagination(results, base_query),
            "wider_radius": wider[0] if wider else None,
            "wider_url": _with(request, radius=wider[0], page=None) if wider else None,
            "today": timezone.localdate(),
            "map_points": [
                {
                    "name": row.card.name,
                    "place": row.card.place,
                    "lat": row.card.latitude,
                    "lon": row.card.longitude,
                    "url": service_href(row.card.service_id),
                }
                for row in results.nearby
            ],
            # Only sessions published by the booking pages can be booked: the others need
            # no booking query.
            "bookable_ids": [
                row.card.service_id
                for row in results.nearby
                if row.card.source == selectors.BOOKABLE_SOURCE
            ],
            "map_centre": {"lat": place.latitude, "lon": place.longitude, "label": place.label},
            # Carried by the cards' links to the service page and to booking.
            "service_query": urlencode(carried),
            "booking_query": _booking_query(carried),
        }
    )
    return _render_find(request, form, context)


def _render_find(
    request: HttpRequest, form: forms.FindForm, context: dict[str, Any]
) -> HttpResponse:
    context["search_html"] = _search_html(request, form, suggestion=context["suggestion"])
    context["service_href"] = _service_href_maker()
    return render(request, "directory/find.html", context)


def _service_href_maker() -> Callable[[Any], str]:
    """A function giving a listing's page address, for the 10 to 40 on a /find page: one
    `reverse()` per page, not one per listing (profiled: about a tenth of a built page)."""
    zero = str(UUID(int=0))
    pattern = reverse("directory:service", args=[zero])

    def service_href(service_id: Any) -> str:
        return pattern.replace(zero, str(service_id))

    return service_href


# The search row's HTML by distance chosen and whether text was typed, with a stand-in for
# the text (views._search_html). It depends only on the templates and the form's choices, so
# it is kept for the life of the process; a few entries (one per distance, twice).
_SEARCH_ROWS: dict[tuple[str, bool], str] = {}
_TYPED_STAND_IN = "familyreach-typed-text-stand-in"


def _search_html(request: HttpRequest, form: forms.FindForm, *, suggestion: str | None) -> str:
    """The search row (postcode or place, distance, Search), its GOV.UK macros rendered once
    per distance and the text typed put into the kept HTML: the three macros cost a built
    page more than its whole list of results (docs/benchmarks.md, "CPU per built page").

    Rendered in full when it shows an error or a suggestion, and under DEBUG (so template
    edits show at once)."""
    typed = form["postcode"].value() or ""
    if suggestion or form["postcode"].errors or form["radius"].errors or settings.DEBUG:
        html = render_to_string(
            "directory/_find_search.html", {"form": form, "suggestion": suggestion}, request
        )
        return mark_safe(html)  # noqa: S308  (our own template's output)
    key = (str(form["radius"].value()), bool(typed))
    kept = _SEARCH_ROWS.get(key)
    if kept is None:
        # Unbound, so it has no errors to show: the same fields with the stand-in as the text.
        initial = {"postcode": _TYPED_STAND_IN if typed else "", "radius": form["radius"].value()}
        stand_in = forms.FindForm(None, initial=initial, languages=[])
        kept = render_to_string(
            "directory/_find_search.html", {"form": stand_in, "suggestion": None}, request
        )
        if len(_SEARCH_ROWS) < 64:
            _SEARCH_ROWS[key] = kept
    # Escaped as the template would have escaped it (Jinja2 escapes with markupsafe).
    return mark_safe(kept.replace(_TYPED_STAND_IN, str(escape(typed))))  # noqa: S308


# /find's child's ages as the booking pages name them (no booking filter for 5 or older).
BOOKING_AGES = {"pregnancy": "-1", "0": "0", "1": "1", "2": "2", "3": "3", "4": "4"}


def _searched(*, postcode: str, age: str, radius: int | None) -> dict[str, str]:
    """What a parent searched, to carry from /find to a service page and on to booking, so
    they do not type it again (a postcode or town as they typed it; it is in the URL already)."""
    carried = {}
    postcode = " ".join(postcode.split())[:60]
    if postcode:
        carried["postcode"] = postcode
    if age in {value for value, _label in forms.AGE_CHOICES if value}:
        carried["age"] = age
    if radius:
        carried["radius"] = str(radius)
    return carried


def _booking_query(searched: dict[str, str]) -> str:
    """The same search in the booking pages' words (/book/'s filters, the form's postcode)."""
    query = {
        key: BOOKING_AGES.get(value, "") if key == "age" else value
        for key, value in searched.items()
    }
    return urlencode({key: value for key, value in query.items() if value})


FILTERS_SECONDS = 5 * 60


def _filters_html(
    request: HttpRequest, form: forms.FindForm, *, searched: bool, languages: list[str]
) -> str:
    """The filter column, from the cache when these filters were chosen before.

    Its GOV.UK checkbox macros took more time than the search (profiled: about half of the
    page's render), and its HTML depends only on the chosen filters and the language list.
    A column showing an error message is never cached."""
    if any(form[name].errors for name in forms.FILTER_FIELDS):
        # Marked safe like the cached column (it was escaped into text before).
        with_error = render_to_string("directory/_find_filters.html", {"form": form}, request)
        return mark_safe(with_error)  # noqa: S308  (our own template's output)
    chosen = [searched, languages, *(sorted(request.GET.getlist(n)) for n in forms.FILTER_FIELDS)]
    key = "directory:find-filters:" + hashlib.sha256(json.dumps(chosen).encode()).hexdigest()
    html: str | None = cache.get(key)
    if html is None:
        html = render_to_string("directory/_find_filters.html", {"form": form}, request)
        cache.set(key, html, FILTERS_SECONDS)
    return mark_safe(html)  # noqa: S308  (our own template's output)


def _with(request: HttpRequest, **changes: Any) -> str:
    query = request.GET.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = str(value)
    return f"{reverse('directory:find')}?{query.urlencode()}"


def _pagination(results: selectors.FindResults, base_query: str) -> dict[str, Any] | None:
    """GOV.UK pagination: previous/next and page numbers with ellipses."""
    if results.total_pages <= 1:
        return None

    find_url = reverse("directory:find")

    def href(number: int) -> str:
        return f"{find_url}?{base_query}&page={number}"

    current, last = results.page, results.total_pages
    items: list[dict[str, Any]] = []
    previous_number = 0
    for number in range(1, last + 1):
        if number in (1, last) or abs(number - current) <= 1:
            if number - previous_number > 1:
                items.append({"ellipsis": True})
            items.append({"number": number, "href": href(number), "current": number == current})
            previous_number = number
    pagination: dict[str, Any] = {"items": items}
    if current > 1:
        pagination["previous"] = {"href": href(current - 1)}
    if current < last:
        pagination["next"] = {"href": href(current + 1)}
    return pagination


def service_detail(request: HttpRequest, service_id: str) -> HttpResponse:
    service = selectors.service_get_public(service_id=service_id)
    today = timezone.localdate()
    sessions = [
        {
            "schedule": schedule,
            "words": schedules.describe(schedule),
            "next": schedules.next_dates(schedule, today=today),
        }
        for schedule in service.schedules.all()
    ]
    locations = [sal.location for sal in service.service_at_locations.all()]
    terms = [attribute.taxonomy_term for attribute in service.attributes.all()]
    assured = service.assured_date
    radius = request.GET.get("radius", "")
    searched = _searched(
        postcode=request.GET.get("postcode", ""),
        age=request.GET.get("age", ""),
        radius=int(radius) if radius in ("1", "2", "5", "10", "20") else None,
    )
    return render(
        request,
        "directory/service.html",
        {
            "service": service,
            # From a /find card: the booking links carry the search (postcode, child's age).
            "booking_query": _booking_query(searched),
            "sessions": sessions,
            "locations": locations,
            "categories": [t for t in terms if t.taxonomy.code == taxonomy.CATEGORY_TAXONOMY],
            "delivery": [t for t in terms if t.taxonomy.code == taxonomy.DELIVERY_TAXONOMY],
            "run_by_local_parents": selectors.service_is_run_by_local_parents(service),
            "is_free": not any(c.amount for c in service.cost_options.all()),
            "assured_is_old": assured is None or assured < selectors.assurance_cutoff(today),
            "map_points": [
                {"name": location.name, "lat": location.latitude, "lon": location.longitude}
                for location in locations
                if location.latitude is not None
            ],
        },
    )


# --- Public: advice -------------------------------------------------------------------------


def advice_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    topic = request.GET.get("topic", "")
    if topic not in AdviceTopic.values:
        topic = ""
    articles = list(selectors.advice_published(search=search, topic=topic))
    topics = [
        {"code": code, "label": label, "articles": [a for a in articles if a.topic == code]}
        for code, label in AdviceTopic.choices
    ]
    return render(
        request,
        "directory/advice_list.html",
        {
            "search": search,
            "topic": topic,
            "topics": [t for t in topics if t["articles"]],
            "all_topics": AdviceTopic.choices,
            "count": len(articles),
        },
    )


def advice_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = selectors.advice_get_published(slug=slug)
    return render(
        request,
        "directory/advice_detail.html",
        {
            "article": article,
            "body": content.render_markdown(article.body),
            "related_terms": list(article.related_terms.all()),
        },
    )


# --- Public: request for support ------------------------------------------------------------


def request_support(request: HttpRequest) -> HttpResponse:
    form = forms.SupportRequestForm(request.POST or None)
    if request.method == "POST" and seconds_to_wait(request, scope="request-support"):
        form.is_valid()  # so the answers typed are shown again
        form.add_error(None, TOO_MANY_REQUESTS)
        return render(request, "directory/request_support.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            postcode = normalise_postcode(data["postcode"])
        except InvalidPostcode as problem:
            form.add_error("postcode", problem.message)
        else:
            support_request = services.support_request_create(
                requester=data["requester"],
                name=data["name"],
                postcode=postcode,
                district_id=_district_id_for(postcode),
                children_ages=data["children_ages"],
                expecting_baby=data["expecting_baby"],
                help_with=data["help_with"],
                details=data["details"],
                contact_method=data["contact_method"],
                email=data["email"],
                phone=data["phone"],
                best_times=data["best_times"],
                family_consent=data["family_consent"],
                professional_name=data["professional_name"],
                professional_organisation=data["professional_organisation"],
                professional_email=data["professional_email"],
            )
            # The confirmation page shows only the reference: it is kept in this browser's
            # session, never in the address, so it cannot be guessed or shared by accident.
            request.session["support_request_reference"] = support_request.reference
            return redirect("directory:request-support-sent")
    return render(request, "directory/request_support.html", {"form": form})


TOO_MANY_REQUESTS = (
    "You have sent this form too many times in the last hour. Try again later, or phone "
    "your local family service"
)


def _district_id_for(postcode: str) -> int | None:
    row = Postcode.objects.filter(compact=postcode.replace(" ", "")).only("district_id").first()
    return row.district_id if row else None


def request_support_sent(request: HttpRequest) -> HttpResponse:
    reference = request.session.get("support_request_reference")
    if not reference:
        return redirect("directory:request-support")
    return render(request, "directory/request_support_sent.html", {"reference": reference})


# --- Staff: requests for support ------------------------------------------------------------


@login_required
def staff_requests(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    requests = selectors.support_requests_for_user(user=_user(request))
    if status in RequestStatus.values:
        requests = requests.filter(status=status)
    return render(
        request,
        "directory/staff/requests.html",
        {"requests": list(requests[:200]), "status": status, "statuses": RequestStatus.choices},
    )


@login_required
def staff_request_detail(request: HttpRequest, request_id: str) -> HttpResponse:
    user = _user(request)
    support_request = selectors.support_request_get_for_user(user=user, request_id=request_id)
    support_request = services.support_request_open(support_request=support_request, user=user)
    decline_form = forms.DeclineForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("decision") == "accept":
                services.support_request_accept(support_request=support_request, user=user)
                messages.success(request, f"Request {support_request.reference} accepted.")
                return redirect("directory:staff-requests")
            if decline_form.is_valid():
                services.support_request_decline(
                    support_request=support_request,
                    user=user,
                    reason=decline_form.cleaned_data["decline_reason"],
                )
                messages.success(request, f"Request {support_request.reference} declined.")
                return redirect("directory:staff-requests")
        except ValidationError as error:
            decline_form.add_error(None, error)
    terms = {
        term.code: term.name
        for term in TaxonomyTerm.objects.filter(code__in=support_request.help_with)
    }
    return render(
        request,
        "directory/staff/request_detail.html",
        {
            "support_request": support_request,
            "form": decline_form if request.method == "POST" else forms.DeclineForm(),
            "help_with": [terms.get(code, code) for code in support_request.help_with],
            "decided": support_request.status in (RequestStatus.ACCEPTED, RequestStatus.DECLINED),
        },
    )


# --- Staff: listings, approval queue, advice ------------------------------------------------


def _editor(request: HttpRequest) -> User:
    user = _user(request)
    if not (services.user_is_council_editor(user) or user.has_role(*_group_admin())):
        raise PermissionDenied("You cannot edit the directory.")
    return user


def _group_admin() -> tuple[Any, ...]:
    from familyreach.accounts.roles import Role

    return (Role.COMMUNITY_GROUP_ADMIN,)


@login_required
def staff_listings(request: HttpRequest) -> HttpResponse:
    user = _editor(request)
    today = timezone.localdate()
    cutoff = selectors.assurance_cutoff(today)
    listings = list(selectors.services_for_editor(user=user)[:500])
    pending = ListingChange.objects.filter(status=ChangeStatus.PENDING)
    council_editor = services.user_is_council_editor(user)
    if not council_editor:
        pending = pending.filter(created_by=user)
    return render(
        request,
        "directory/staff/listings.html",
        {
            "listings": listings,
            "cutoff": cutoff,
            "unassured": [s for s in listings if s.assured_date is None or s.assured_date < cutoff],
            "pending_count": pending.count(),
            "my_changes": []
            if council_editor
            else list(selectors.listing_changes_proposed_by(user=user)[:20]),
            "organizations": list(selectors.organizations_for_editor(user=user)),
            "is_council_editor": services.user_is_council_editor(user),
        },
    )


@login_required
def staff_listing_quality(request: HttpRequest) -> HttpResponse:
    """Listings that the feed's consumers (DfE's Family Hubs service) would refuse or families
    could not act on, worst first, each linked to its edit page."""
    user = _editor(request)
    checked, failing = selectors.listing_quality_for_editor(user=user)
    return render(
        request,
        "directory/staff/quality.html",
        {"checked": checked, "failing": failing},
    )


def _service_initial(service: Service) -> dict[str, Any]:
    by_taxonomy: dict[str, list[str]] = {}
    for attribute in service.attributes.select_related("taxonomy_term__taxonomy"):
        term = attribute.taxonomy_term
        by_taxonomy.setdefault(term.taxonomy.code, []).append(term.code)
    initial = {
        field: getattr(service, field)
        for field in services.EDITABLE_FIELDS
        if field not in ("categories", "delivery_methods", *services.STRUCTURED_FIELDS)
    }
    initial["categories"] = by_taxonomy.get(taxonomy.CATEGORY_TAXONOMY, [])
    initial["delivery_methods"] = by_taxonomy.get(taxonomy.DELIVERY_TAXONOMY, [])
    place = service.service_at_locations.order_by("pk").first()
    initial["location"] = str(place.location_id) if place else ""
    weekly = service.schedules.filter(freq="WEEKLY").order_by("byday", "opens_at")
    for row, schedule in enumerate(weekly, start=1):
        initial[f"day_{row}"] = schedule.byday.split(",")[0]
        initial[f"opens_{row}"] = f"{schedule.opens_at:%H:%M}" if schedule.opens_at else ""
        initial[f"closes_{row}"] = f"{schedule.closes_at:%H:%M}" if schedule.closes_at else ""
    cost = service.cost_options.exclude(amount=None).first()
    initial["cost_amount"] = cost.amount if cost else None
    return initial


def _time_rows(service: Service | None) -> int:
    """Room for every weekly time the listing has, and one more."""
    weekly = service.schedules.filter(freq="WEEKLY").count() if service else 0
    return max(3, weekly + 1)


@login_required
def staff_service_edit(request: HttpRequest, service_id: str | None = None) -> HttpResponse:
    user = _editor(request)
    service = None
    if service_id is not None:
        service = get_object_or_404(Service.objects.select_related("organization"), pk=service_id)
        organization = service.organization
    else:
        organization = get_object_or_404(
            Organization, pk=request.GET.get("organization") or request.POST.get("organization")
        )
    if not services.user_can_edit_organization(user, organization):
        raise PermissionDenied("You cannot edit this organisation's listings.")
    form = forms.ServiceForm(
        request.POST or None,
        initial=_service_initial(service) if service else {"status": "active"},
        time_rows=_time_rows(service),
    )
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.service_edit(
                user=user, organization=organization, service=service, changes=form.changes()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if isinstance(outcome, ListingChange):
                messages.success(request, "Your change has been sent for approval.")
            else:
                messages.success(request, f"“{outcome.name}” saved.")
            return redirect("directory:staff-listings")
    return render(
        request,
        "directory/staff/service_edit.html",
        {
            "form": form,
            "service": service,
            "organization": organization,
            "needs_approval": not services.user_is_council_editor(user),
        },
    )


@login_required
@require_POST
def staff_service_assure(request: HttpRequest, service_id: str) -> HttpResponse:
    user = _editor(request)
    service = get_object_or_404(Service.objects.select_related("organization"), pk=service_id)
    services.service_assure(service=service, user=user)
    messages.success(request, f"“{service.name}” marked as checked today.")
    return redirect("directory:staff-listings")


@login_required
def staff_changes(request: HttpRequest) -> HttpResponse:
    user = _editor(request)
    if not services.user_is_council_editor(user):
        raise PermissionDenied("Only council staff approve changes.")
    changes = selectors.listing_changes_pending()
    return render(
        request,
        "directory/staff/changes.html",
        {
            "changes": [(change, selectors.listing_change_rows(change)) for change in changes],
            "form": forms.RejectChangeForm(),
        },
    )


@login_required
@require_POST
def staff_change_decide(request: HttpRequest, change_id: str) -> HttpResponse:
    user = _editor(request)
    change = get_object_or_404(ListingChange, pk=change_id)
    try:
        if request.POST.get("decision") == "approve":
            services.listing_change_approve(change=change, user=user)
            messages.success(request, "Change approved and published.")
        else:
            form = forms.RejectChangeForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Say why the change is rejected.")
                return redirect("directory:staff-changes")
            services.listing_change_reject(
                change=change, user=user, reason=form.cleaned_data["reason"]
            )
            messages.success(request, "Change rejected.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("directory:staff-changes")


@login_required
def staff_advice(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not services.user_is_council_editor(user):
        raise PermissionDenied("Only council staff edit advice.")
    articles = list(AdviceArticle.objects.select_related("owner").order_by("review_by"))
    today = timezone.localdate()
    return render(
        request,
        "directory/staff/advice.html",
        {"articles": articles, "today": today, "soon": today + timedelta(days=30)},
    )


@login_required
def staff_advice_edit(request: HttpRequest, article_id: str | None = None) -> HttpResponse:
    user = _user(request)
    if not services.user_is_council_editor(user):
        raise PermissionDenied("Only council staff edit advice.")
    article = get_object_or_404(AdviceArticle, pk=article_id) if article_id else None
    initial: dict[str, Any] = {}
    if article is not None:
        initial = {
            "title": article.title,
            "slug": article.slug,
            "summary": article.summary,
            "body": article.body,
            "topic": article.topic,
            "status": article.status,
            "review_by": article.review_by.strftime("%d/%m/%Y"),
            "related_terms": [t.code for t in article.related_terms.all()],
        }
    form = forms.AdviceArticleForm(request.POST or None, initial=initial, article=article)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("action") == "preview":
            preview = content.render_markdown(data["body"])
        else:
            saved = services.advice_article_save(
                user=user,
                article=article,
                slug=data["slug"],
                title=data["title"],
                summary=data["summary"],
                body=data["body"],
                topic=data["topic"],
                status=data["status"],
                review_by=data["review_by"],
                related_term_codes=data["related_terms"],
            )
            messages.success(request, f"“{saved.title}” saved.")
            return redirect("directory:staff-advice")
    return render(
        request,
        "directory/staff/advice_edit.html",
        {"form": form, "article": article, "preview": preview},
    )
