"""Delivery pages: sessions, occurrences with bookings, phone-first registers, visits, the
worker's week (/staff/) and the public booking pages (/book/). Thin: validate, call one
selector or service, render."""

import csv
import io
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import rules
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from familyreach.accounts.roles import Role
from familyreach.core.input import get_object_or_404
from familyreach.core.ratelimit import rate_limited
from familyreach.delivery import forms, ical, notifications, references, selectors, services
from familyreach.delivery.models import (
    Booking,
    BookingChannel,
    BookingStatus,
    Occurrence,
    SchoolHoliday,
)
from familyreach.families.selectors import family_for_change
from familyreach.geo.exceptions import InvalidPostcode, LookupProblem
from familyreach.geo.postcodes import normalise_postcode
from familyreach.geo.selectors import place_lookup

LONDON = ZoneInfo("Europe/London")


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise Http404("Not a date") from error


def _occurrence_url(occurrence: Occurrence, name: str = "delivery:occurrence") -> str:
    return reverse(name, args=[occurrence.session_id, occurrence.date.isoformat()])


# --- The worker's week (rendered at /staff/ by web.views.staff_home) -------------------------

WEEK_ROLES = frozenset(
    {
        Role.MANAGER,
        Role.FAMILY_WORKER,
        Role.OUTREACH_WORKER,
        Role.VOLUNTEER,
        Role.VOLUNTEER_COORDINATOR,
    }
)


def shows_week(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.roles & WEEK_ROLES))


def week_page(request: HttpRequest, *, extra: dict[str, Any] | None = None) -> HttpResponse:
    """`extra`: what the landing page adds above the week (web.views: the family search and
    new requests for support)."""
    try:
        start = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        start = timezone.localdate()
    week = selectors.worker_week(user=request.user, start=start)
    return render(
        request,
        "delivery/week.html",
        {"week": week, "today": timezone.localdate(), **(extra or {})},
    )


# --- Sessions --------------------------------------------------------------------------------


@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    sessions = selectors.session_list_for_user(user=request.user)
    return render(
        request,
        "delivery/sessions.html",
        {
            "sessions": sessions,
            "can_add": rules.test_rule("delivery.add_session", request.user),
            "can_set_holidays": rules.test_rule("delivery.manage_school_holidays", request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest) -> HttpResponse:
    if not rules.test_rule("delivery.add_session", request.user):
        raise PermissionDenied("Your role cannot plan sessions.")
    form = forms.SessionForm(request.POST or None, initial={"staff": [request.user.pk]})
    if request.method == "POST" and form.is_valid():
        session = services.session_create(
            user=request.user,
            details=form.details(),
            staff=list(form.cleaned_data["staff"]),
            volunteers=list(form.cleaned_data["volunteers"]),
        )
        messages.success(request, "Session created and listed in the directory")
        return HttpResponseRedirect(reverse("delivery:session", args=[session.pk]))
    return render(request, "delivery/session_form.html", {"form": form, "session": None})


@login_required
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.session_get_for_user(user=request.user, session_id=session_id)
    today = timezone.localdate()
    return render(
        request,
        "delivery/session.html",
        {
            "session": session,
            "occurrences": selectors.session_occurrences(
                session=session, start=today - timedelta(days=14), end=today + timedelta(days=84)
            ),
            "runs": rules.test_rule("delivery.run_session", request.user, session),
            "helps": rules.test_rule("delivery.help_at_session", request.user, session),
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.session_get_for_user(user=request.user, session_id=session_id)
    if not rules.test_rule("delivery.change_session", request.user, session):
        raise PermissionDenied("Only the session's staff and managers can change it.")
    initial = {
        name: getattr(session, name)
        for name in forms.SessionForm.base_fields
        if name not in ("staff", "volunteers")
    }
    initial["staff"] = list(session.staff.all())
    initial["volunteers"] = list(session.volunteers.all())
    form = forms.SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.session_update(
            user=request.user,
            session=session,
            details=form.details(),
            staff=list(form.cleaned_data["staff"]),
            volunteers=list(form.cleaned_data["volunteers"]),
        )
        messages.success(request, "Session updated")
        return HttpResponseRedirect(reverse("delivery:session", args=[session.pk]))
    return render(request, "delivery/session_form.html", {"form": form, "session": session})


@login_required
@require_POST
def session_exception_add(request: HttpRequest, session_id: int) -> HttpResponse:
    """The session does not run on a date (a bank holiday, the venue is closed)."""
    session = selectors.session_get_for_user(user=request.user, session_id=session_id)
    if not rules.test_rule("delivery.change_session", request.user, session):
        raise PermissionDenied("Only the session's staff and managers can change it.")
    form = forms.SessionExceptionForm(request.POST)
    if form.is_valid():
        try:
            services.session_exception_add(
                user=request.user,
                session=session,
                day=form.cleaned_data["day"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError:
            messages.error(request, "The session is already marked as not running on that date")
        else:
            messages.success(request, "Date removed from the session")
    else:
        messages.error(request, str(next(iter(form.errors.values()))[0]))
    return HttpResponseRedirect(reverse("delivery:session", args=[session.pk]))


# --- One occurrence: bookings and the waiting list --------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def occurrence_detail(request: HttpRequest, session_id: int, day: str) -> HttpResponse:
    occurrence = selectors.occurrence_get_for_user(
        user=request.user, session_id=session_id, day=_day(day)
    )
    form = forms.BookFamilyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            family = family_for_change(user=request.user, family_id=form.cleaned_data["family"])
        except (Http404, PermissionDenied):
            form.add_error("family", "No family with that number that you can book")
        else:
            try:
                booking = services.booking_create(
                    user=request.user, occurrence_id=occurrence.pk, family=family
                )
            except ValidationError as error:
                form.add_error("family", error.messages[0])
            else:
                messages.success(
                    request,
                    "Booked"
                    if booking.status == BookingStatus.CONFIRMED
                    else "The session is full: the family is on the waiting list",
                )
                return HttpResponseRedirect(_occurrence_url(occurrence))
    return render(
        request,
        "delivery/occurrence.html",
        {
            "occurrence": occurrence,
            "bookings": selectors.occurrence_bookings(user=request.user, occurrence=occurrence),
            "held": selectors.occurrence_places_held(occurrence=occurrence),
            "hold_minutes": settings.FAMILYREACH_BOOKING_HOLD_MINUTES,
            "form": form,
        },
    )


@login_required
def occurrence_cancel(request: HttpRequest, session_id: int, day: str) -> HttpResponse:
    """Call off one date: a confirmation page saying who will be told, then the cancellation."""
    occurrence = selectors.occurrence_get_for_user(
        user=request.user, session_id=session_id, day=_day(day)
    )
    if not rules.test_rule("delivery.change_session", request.user, occurrence.session):
        raise PermissionDenied("Only the session's staff and managers can call off a date.")
    form = forms.OccurrenceCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cancelled = services.occurrence_cancel(
                user=request.user, occurrence=occurrence, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error("reason", error.messages[0])
        else:
            messages.success(
                request,
                f"{occurrence} is cancelled. "
                + (
                    f"{len(cancelled)} booking{'s' if len(cancelled) != 1 else ''} cancelled; "
                    "families who agreed to be contacted have been told."
                    if cancelled
                    else "Nobody had booked."
                ),
            )
            return HttpResponseRedirect(reverse("delivery:session", args=[occurrence.session_id]))
    booked = occurrence.bookings.exclude(status=BookingStatus.CANCELLED).count()
    return render(
        request,
        "delivery/occurrence_cancel.html",
        {"occurrence": occurrence, "form": form, "booked": booked},
    )


@login_required
def occurrence_helpers(request: HttpRequest, session_id: int, day: str) -> HttpResponse:
    """Volunteers: first names only, for a session they help at."""
    occurrence, rows = selectors.volunteer_register(
        user=request.user, session_id=session_id, day=_day(day)
    )
    return render(request, "delivery/helpers.html", {"occurrence": occurrence, "rows": rows})


@login_required
@require_POST
def booking_cancel(request: HttpRequest, booking_id: int) -> HttpResponse:
    booking = selectors.booking_get_for_user(user=request.user, booking_id=booking_id)
    try:
        promoted = services.booking_cancel(user=request.user, booking=booking)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            "Booking cancelled"
            + (f"; {len(promoted)} from the waiting list now booked" if promoted else ""),
        )
    target = request.POST.get("next", "")
    if target not in (
        _occurrence_url(booking.occurrence),
        reverse("families:detail", args=[booking.family_id]),
    ):
        target = reverse("families:detail", args=[booking.family_id])
    return HttpResponseRedirect(target)


@login_required
@require_http_methods(["GET", "POST"])
def family_book(request: HttpRequest, family_id: int) -> HttpResponse:
    family = family_for_change(user=request.user, family_id=family_id)
    occurrences = selectors.bookable_occurrences(start=timezone.localdate(), days=28)
    form = forms.FamilyBookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.booking_create(
                user=request.user,
                occurrence_id=form.cleaned_data["occurrence"],
                family=family,
                channel=BookingChannel.STAFF,
            )
        except Occurrence.DoesNotExist:
            form.add_error("occurrence", "Choose a session to book")
        except ValidationError as error:
            form.add_error("occurrence", error.messages[0])
        else:
            messages.success(
                request,
                "Booked"
                if booking.status == BookingStatus.CONFIRMED
                else "The session is full: the family is on the waiting list",
            )
            return HttpResponseRedirect(reverse("families:detail", args=[family.pk]))
    return render(
        request,
        "delivery/family_book.html",
        {"family": family, "occurrences": occurrences, "form": form},
    )


# --- Registers (phone-first) -----------------------------------------------------------------


def _register_entries(request: HttpRequest, family_ids: list[int]) -> list[services.RegisterEntry]:
    entries = []
    for family_id in family_ids:
        present = request.POST.get(f"present-{family_id}") == "on"
        try:
            adults = int(request.POST.get(f"adults-{family_id}") or 0)
            children = int(request.POST.get(f"children-{family_id}") or 0)
        except ValueError as error:
            raise ValidationError(
                "Numbers of adults and children must be whole numbers."
            ) from error
        if present and adults + children == 0:
            adults, children = 1, 1
        entries.append(
            services.RegisterEntry(
                family_id=family_id, present=present, adults=adults, children=children
            )
        )
    return entries


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, session_id: int, day: str) -> HttpResponse:
    occurrence = selectors.occurrence_get_for_user(
        user=request.user, session_id=session_id, day=_day(day)
    )
    rows = selectors.register_rows(user=request.user, occurrence=occurrence)
    error = ""
    if request.method == "POST":
        try:
            services.register_update(
                user=request.user,
                occurrence=occurrence,
                entries=_register_entries(request, [row.family.pk for row in rows]),
            )
        except ValidationError as problem:
            error = problem.messages[0]
        else:
            if request.POST.get("action") == "close":
                # Saved first, so nothing ticked is lost; closing itself is confirmed on its
                # own page (it records contacts and is undone only on the same day).
                return HttpResponseRedirect(_occurrence_url(occurrence, "delivery:register-close"))
            messages.success(request, "Register saved")
            return HttpResponseRedirect(_occurrence_url(occurrence, "delivery:register"))
    return render(
        request,
        "delivery/register.html",
        {
            "occurrence": occurrence,
            "rows": rows,
            "error": error,
            "attending": sum(1 for row in rows if row.present),
            "adults": sum(row.attendance.adults for row in rows if row.attendance),
            "children": sum(row.attendance.children for row in rows if row.attendance),
            "can_close": timezone.now() >= occurrence.starts_at,
            "can_reopen": services.register_can_reopen(occurrence),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def register_close(request: HttpRequest, session_id: int, day: str) -> HttpResponse:
    """Are you sure? The register closes only from the session's start, after a confirmation."""
    occurrence = selectors.occurrence_get_for_user(
        user=request.user, session_id=session_id, day=_day(day)
    )
    register_url = _occurrence_url(occurrence, "delivery:register")
    if occurrence.register_is_closed:
        messages.error(request, "The register is already closed")
        return HttpResponseRedirect(register_url)
    rows = selectors.register_rows(user=request.user, occurrence=occurrence)
    form = forms.RegisterCloseForm(request.POST if request.method == "POST" else None)
    too_early = timezone.now() < occurrence.starts_at
    if request.method == "POST" and not too_early and form.is_valid():
        try:
            contacts = services.register_close(user=request.user, occurrence=occurrence)
        except ValidationError as error:
            form.add_error("confirm", error.messages[0])
        else:
            messages.success(
                request, f"Register closed: {len(contacts)} families recorded as attending"
            )
            return HttpResponseRedirect(register_url)
    present = [row for row in rows if row.present]
    return render(
        request,
        "delivery/register_close.html",
        {
            "occurrence": occurrence,
            "form": form,
            "too_early": too_early,
            "attending": len(present),
            "adults": sum(row.attendance.adults for row in present if row.attendance),
            "children": sum(row.attendance.children for row in present if row.attendance),
            "not_ticked": sum(1 for row in rows if row.booked and not row.present),
        },
    )


@login_required
@require_POST
def register_reopen(request: HttpRequest, session_id: int, day: str) -> HttpResponse:
    occurrence = selectors.occurrence_get_for_user(
        user=request.user, session_id=session_id, day=_day(day)
    )
    try:
        services.register_reopen(user=request.user, occurrence=occurrence)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "Register reopened: make your changes and close it again")
    return HttpResponseRedirect(_occurrence_url(occurrence, "delivery:register"))


@login_required
def register_print(request: HttpRequest, session_id: int, day: str) -> HttpResponse:
    """A sign-in sheet to print: names, children and empty boxes to tick by hand."""
    occurrence = selectors.occurrence_get_for_user(
        user=request.user, session_id=session_id, day=_day(day)
    )
    rows = selectors.register_rows(user=request.user, occurrence=occurrence)
    return render(
        request,
        "delivery/register_print.html",
        {
            "occurrence": occurrence,
            "rows": rows,
            "children_first_names": selectors.children_first_names,
        },
    )


def _csv_cell(value: str) -> str:
    # A name starting =, +, - or @ would run as a formula in a spreadsheet.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@login_required
def register_csv(request: HttpRequest, session_id: int, day: str) -> HttpResponse:
    """The sign-in sheet as CSV. Staff only (the session's staff and its managers); each family
    on it is an audited read (register_rows records an access entry per family, per download)."""
    occurrence = selectors.occurrence_get_for_user(
        user=request.user, session_id=session_id, day=_day(day)
    )
    rows = selectors.register_rows(user=request.user, occurrence=occurrence)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Parent or carer", "Children", "Booked", "Attended", "Adults", "Children"])
    for row in rows:
        carers = ", ".join(str(carer) for carer in row.family.carers.all())
        children = ", ".join(selectors.children_first_names(row.family))
        writer.writerow(
            [
                _csv_cell(carers or f"Family {row.family.pk}"),
                _csv_cell(children),
                "Booked" if row.booked else "Walk-in",
                "Yes" if row.present else "",
                row.attendance.adults if row.attendance else "",
                row.attendance.children if row.attendance else "",
            ]
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"sign-in-{occurrence.session_id}-{occurrence.date.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def walk_in(request: HttpRequest, session_id: int, day: str) -> HttpResponse:
    occurrence = selectors.occurrence_get_for_user(
        user=request.user, session_id=session_id, day=_day(day)
    )
    if occurrence.register_is_closed:
        messages.error(request, "The register is closed")
        return HttpResponseRedirect(_occurrence_url(occurrence, "delivery:register"))
    form = forms.WalkInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.register_add_walk_in(
                user=request.user,
                occurrence=occurrence,
                carer=form.carer(),
                child=form.child(),
                postcode=form.cleaned_data["postcode"],
                adults=form.cleaned_data["adults"],
                children=form.cleaned_data["children"],
            )
        except (ValidationError, InvalidPostcode) as problem:
            message = getattr(problem, "message", None) or problem.messages[0]  # type: ignore[union-attr]
            form.add_error(None, message)
        else:
            note = (
                " They may already be registered: check the record later."
                if result.possible_duplicates
                else ""
            )
            messages.success(request, f"{form.cleaned_data['carer_first_name']} added.{note}")
            return HttpResponseRedirect(_occurrence_url(occurrence, "delivery:register"))
    return render(request, "delivery/walk_in.html", {"occurrence": occurrence, "form": form})


# --- Visits ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest, family_id: int) -> HttpResponse:
    family = family_for_change(user=request.user, family_id=family_id)
    form = forms.VisitScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        visit = services.visit_schedule(
            user=request.user,
            family=family,
            worker=request.user,
            kind=data["kind"],
            scheduled_at=datetime.combine(data["day"], data["at"], tzinfo=LONDON),
            purpose=data["purpose"],
        )
        messages.success(request, f"{visit.get_kind_display()} scheduled")
        return HttpResponseRedirect(reverse("families:detail", args=[family.pk]))
    return render(request, "delivery/visit_new.html", {"family": family, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def visit_detail(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = selectors.visit_get_for_user(user=request.user, visit_id=visit_id)
    form = forms.VisitRecordForm(
        request.POST or None,
        initial={"status": visit.status, "outcome_notes": visit.outcome_notes},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.visit_record(
            user=request.user,
            visit=visit,
            status=data["status"],
            outcome_notes=data["outcome_notes"],
            next_action=data["next_action"],
            next_action_due=data["next_action_due"],
        )
        messages.success(request, "Visit recorded")
        return HttpResponseRedirect(reverse("families:detail", args=[visit.family_id]))
    return render(request, "delivery/visit.html", {"visit": visit, "form": form})


# --- Bases -----------------------------------------------------------------------------------


@login_required
def base_list(request: HttpRequest) -> HttpResponse:
    if not rules.test_rule("delivery.add_session", request.user):
        raise PermissionDenied("Your role does not run bases.")
    return render(request, "delivery/bases.html", {"bases": selectors.base_list()})


@login_required
def school_holidays(request: HttpRequest) -> HttpResponse:
    """The county's school holidays: term-time sessions do not run in them."""
    if not rules.test_rule("delivery.manage_school_holidays", request.user):
        raise PermissionDenied("Only managers set the school holidays.")
    form = forms.SchoolHolidayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            holiday, kept = services.school_holiday_add(
                user=request.user,
                name=form.cleaned_data["name"],
                start_date=form.cleaned_data["start_date"],
                end_date=form.cleaned_data["end_date"],
            )
        except ValidationError as error:
            form.add_error("start_date", error.messages[0])
        else:
            message = f"{holiday.name} added: term-time sessions do not run on those dates."
            if kept:
                message += (
                    f" {len(kept)} date{'s' if len(kept) != 1 else ''} in the holiday "
                    "already had bookings and still run: "
                    + ", ".join(str(occurrence) for occurrence in kept[:5])
                    + ". Call them off from their bookings page if they should not run."
                )
            messages.success(request, message)
            return HttpResponseRedirect(reverse("delivery:school-holidays"))
    return render(
        request,
        "delivery/school_holidays.html",
        {"holidays": selectors.school_holidays(), "form": form},
    )


@login_required
@require_POST
def school_holiday_remove(request: HttpRequest, holiday_id: int) -> HttpResponse:
    if not rules.test_rule("delivery.manage_school_holidays", request.user):
        raise PermissionDenied("Only managers set the school holidays.")
    holiday = get_object_or_404(SchoolHoliday, pk=holiday_id)
    services.school_holiday_remove(user=request.user, holiday=holiday)
    messages.success(request, f"{holiday.name} removed: term-time sessions run on those dates.")
    return HttpResponseRedirect(reverse("delivery:school-holidays"))


# --- Public booking --------------------------------------------------------------------------


def book_list(request: HttpRequest) -> HttpResponse:
    """Sessions to book, filtered by a GET form: near a postcode, for a child's age, or the
    dates of one session (the link from a /find card)."""
    form = forms.BookFilterForm(request.GET or None)
    near = None
    place = None
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["postcode"]:
            try:
                place = place_lookup(data["postcode"])
            except LookupProblem as problem:
                form.add_error("postcode", problem.message)
            else:
                near = (place.latitude, place.longitude)
        filters = {
            "near": near,
            "radius_miles": data["radius"] or 5,
            "age_years": data["age"],
            "session_id": data["session"],
        }
    rows = selectors.bookable_rows(start=timezone.localdate(), days=28, **filters)
    return render(
        request,
        "delivery/book_list.html",
        {
            "form": form,
            "rows": rows,
            "place": place,
            "radius": filters.get("radius_miles", 5),
            "filtered": any(
                value is not None for key, value in filters.items() if key != "radius_miles"
            ),
            # The postcode searched goes on to the booking form (which ignores a town name).
            "form_query": urlencode({"postcode": place.label}) if place is not None else "",
        },
    )


@require_http_methods(["GET", "POST"])
@rate_limited("book")
def book(request: HttpRequest, occurrence_id: int) -> HttpResponse:
    """The booking form. Posting it books nothing yet: it holds the place and sends the parent
    a link; the family record and the booking are made when they follow it (book_confirm)."""
    occurrence = selectors.bookable_occurrence(occurrence_id=occurrence_id)
    form = forms.OnlineBookingForm(request.POST or None, initial=_carried_initial(request.GET))
    if request.method == "POST" and form.is_valid():
        try:
            made = services.booking_hold_create(occurrence_id=occurrence.pk, details=form.details())
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            # Where the link went and whether a place is held: nothing the parent typed.
            request.session["booking_hold"] = {
                "occurrence": occurrence.pk,
                "sent_by": made.sent_by,
                "holds_place": made.hold.holds_place,
            }
            if settings.DEMO_MODE:
                # The demo sends no email or text: the person trying it is shown the link the
                # message holds, labelled. Never in production (DEMO_MODE is forced off there),
                # where the link proves the parent holds the address they gave.
                request.session["booking_hold"]["demo_link"] = reverse(
                    "delivery:book-confirm", args=[made.token]
                )
            return HttpResponseRedirect(reverse("delivery:book-check", args=[occurrence.pk]))
    return render(request, "delivery/book.html", {"occurrence": occurrence, "form": form})


def _carried_initial(query: Any) -> dict[str, str]:
    """The postcode searched on /find or /book/, carried in the link to the form, when it is a
    postcode (a town name is not an address)."""
    text = str(query.get("postcode", ""))[:20]
    try:
        return {"postcode": normalise_postcode(text)} if text.strip() else {}
    except InvalidPostcode:
        return {}


def book_check(request: HttpRequest, occurrence_id: int) -> HttpResponse:
    """ "Check your email" (or phone): the link we sent confirms the booking."""
    sent = request.session.get("booking_hold")
    if not isinstance(sent, dict) or sent.get("occurrence") != occurrence_id:
        return HttpResponseRedirect(reverse("delivery:book", args=[occurrence_id]))
    return render(
        request,
        "delivery/book_check.html",
        {
            "occurrence": selectors.occurrence_get_public(occurrence_id=occurrence_id),
            "sent_by": sent.get("sent_by"),
            "holds_place": bool(sent.get("holds_place")),
            "minutes": settings.FAMILYREACH_BOOKING_HOLD_MINUTES,
            "demo_link": sent.get("demo_link") if settings.DEMO_MODE else None,
        },
    )


@require_http_methods(["GET", "POST"])
def book_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the parent's email or text. Opening it shows what they are confirming and a
    button: mail scanners open links by themselves, and must not book. The button registers
    the family and books (services.booking_hold_confirm)."""
    try:
        hold = selectors.booking_hold_get(token=token)
    except selectors.HoldNotFound as missing:
        raise Http404("This link is not right, or it has expired") from missing
    if hold.booking is not None:
        request.session["booking_reference"] = hold.booking.reference
        return HttpResponseRedirect(reverse("delivery:booked", args=[hold.occurrence_id]))
    error = ""
    if request.method == "POST":
        try:
            booking = services.booking_hold_confirm(token=token)
        except ValidationError as problem:
            error = problem.messages[0]
        else:
            request.session["booking_reference"] = booking.reference
            request.session.pop("booking_hold", None)
            return HttpResponseRedirect(reverse("delivery:booked", args=[booking.occurrence_id]))
    response = render(
        request,
        "delivery/book_confirm.html",
        {
            "occurrence": hold.occurrence,
            "hold": hold,
            "expired": hold.expires_at <= timezone.now() or hold.confirmed_at is not None,
            "error": error,
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response


def booked(request: HttpRequest, occurrence_id: int) -> HttpResponse:
    reference = request.session.get("booking_reference")
    booking = (
        Booking.objects.select_related("occurrence__session__venue")
        .filter(reference=reference or "", occurrence_id=occurrence_id)
        .first()
    )
    if booking is None:
        return HttpResponseRedirect(reverse("delivery:book", args=[occurrence_id]))
    return render(
        request,
        "delivery/booked.html",
        {
            "booking": booking,
            "occurrence": booking.occurrence,
            "status": booking.status,
            "cancel_token": references.cancel_token(booking.reference),
            "calendar_token": references.calendar_token(booking.reference),
        },
    )


def _booking_from_token(token: str, *, salt: str) -> Booking:
    reference = references.reference_from_token(token, salt=salt)
    if reference is None:
        raise Http404("This link is not right: check you copied all of it")
    return selectors.booking_get_public(reference=reference)


@require_http_methods(["GET", "POST"])
@rate_limited("book")
def book_cancel(request: HttpRequest, token: str) -> HttpResponse:
    """The family's cancel link: "Are you sure?", then the place is freed and we say so."""
    booking = _booking_from_token(token, salt=references.CANCEL_SALT)
    error = ""
    done = False
    if request.method == "POST" and booking.status != BookingStatus.CANCELLED:
        if request.POST.get("confirm") != "yes":
            return HttpResponseRedirect(reverse("delivery:book-list"))
        try:
            services.booking_cancel_by_family(reference=booking.reference)
        except ValidationError as problem:
            error = problem.messages[0]
        else:
            done = True
            booking.refresh_from_db()
    return render(
        request,
        "delivery/book_cancel.html",
        {
            "booking": booking,
            "occurrence": booking.occurrence,
            "error": error,
            "done": done,
            "started": booking.occurrence.starts_at <= timezone.now(),
        },
    )


def book_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """The booked session as an .ics file for the family's calendar."""
    booking = _booking_from_token(token, salt=references.CALENDAR_SALT)
    if booking.status == BookingStatus.CANCELLED:
        raise Http404("This booking is cancelled")
    body = ical.booking_calendar(booking, cancel_url=notifications.links(booking)["cancel"])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="booking-{booking.reference}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
