"""Pages for peer-led community support. Thin: validate, call one service or selector, render.

Every staff page needs a signed-in user; what each may see is decided by the selectors (which
raise PermissionDenied or Http404) and what each may change by the services.
"""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from familyreach.accounts.roles import Role
from familyreach.community import forms, selectors
from familyreach.community.matching import rank_supporters
from familyreach.community.models import (
    BookingStatus,
    GroupStatus,
    MatchStatus,
    StartUpHelp,
)
from familyreach.community.services import groups as group_services
from familyreach.community.services import matches as match_services
from familyreach.community.services import rooms as room_services
from familyreach.community.services import safeguarding as safeguarding_services
from familyreach.community.services import supporters as supporter_services
from familyreach.community.services.groups import group_approval_problems
from familyreach.core.ratelimit import rate_limited
from familyreach.core.uploads import MAX_DOCUMENT_BYTES
from familyreach.outbox import selectors as outbox_selectors
from familyreach.outbox.models import MessageKind


def _apply_errors(form: Form, error: ValidationError) -> None:
    """Show a service's refusal on the form, against the field it names where it can."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], *forms_shown: Form | None
) -> HttpResponse:
    invalid = any(f is not None and f.is_bound and f.errors for f in forms_shown)
    return render(request, f"community/{template}", context, status=400 if invalid else 200)


def _posted(request: HttpRequest) -> Any:
    # `request.POST or None` would treat an empty submission as no submission at all.
    return request.POST if request.method == "POST" else None


def _today() -> Any:
    return timezone.localdate()


# --- Public: a group registers ------------------------------------------------------------


# Two documents of at most 5MB and the form's text: anything larger is refused before the body
# is read, so a flood of large uploads cannot fill the disk with temporary files.
GROUP_REGISTER_MAX_BODY = 2 * MAX_DOCUMENT_BYTES + 1024 * 1024


@require_http_methods(["GET", "POST"])
@rate_limited("group-register")
def group_register(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and int(request.META.get("CONTENT_LENGTH") or 0) > (
        GROUP_REGISTER_MAX_BODY
    ):
        raise RequestDataTooBig("The files sent were larger than the form allows.")
    form = forms.GroupRegistrationForm(
        _posted(request), request.FILES if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        leaders = [{"name": data["lead_name"], "email": data["lead_email"]}]
        same_person = data["safeguarding_lead_email"].lower() == data["lead_email"].lower()
        if same_person:
            leaders[0]["is_safeguarding_lead"] = True
        else:
            leaders.append(
                {
                    "name": data["safeguarding_lead_name"],
                    "email": data["safeguarding_lead_email"],
                    "is_safeguarding_lead": True,
                }
            )
        try:
            group = group_services.group_register(
                name=data["name"],
                kind=data["kind"],
                description=data["description"],
                who_for=data["who_for"],
                venue_name=data["venue_name"],
                venue_postcode=data["venue_postcode"],
                contact_email=data["contact_email"],
                cost_description=data["cost_description"],
                insurance_url=data["insurance_url"],
                insurance_file=data["insurance_file"],
                policy_url=data["policy_url"],
                policy_file=data["policy_file"],
                leaders=leaders,
                sessions=[
                    {
                        "weekday": data["weekday"],
                        "starts_at": data["starts_at"],
                        "ends_at": data["ends_at"],
                        "frequency": data["frequency"],
                    }
                ],
                user=request.user if request.user.is_authenticated else None,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            request.session["community_registered_group"] = group.name
            return HttpResponseRedirect(reverse("community:group-registered"))
    return _page(request, "group_register.html", {"form": form}, form)


def group_registered(request: HttpRequest) -> HttpResponse:
    name = request.session.get("community_registered_group", "")
    return render(request, "community/group_registered.html", {"group_name": name})


# --- Staff home ---------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    context: dict[str, Any] = {
        "is_coordinator": selectors.user_is_coordinator(user),
        "may_raise_concern": selectors.user_may_raise_concern(user),
        "is_volunteer": user.has_role(Role.VOLUNTEER),
        "is_group_admin": user.has_role(Role.COMMUNITY_GROUP_ADMIN),
    }
    if not any(context.values()):
        raise PermissionDenied("Community pages are for coordinators, volunteers and groups.")
    if context["is_coordinator"]:
        context["expiries"] = selectors.expiries_upcoming(on=_today())
        context["groups_waiting"] = selectors.group_list(user=user).filter(
            status=GroupStatus.SUBMITTED
        )
        context["open_concerns"] = [
            c
            for c in selectors.concern_list(user=user)
            if not c.final_decisions  # type: ignore[attr-defined]
        ]
        context["bookings_waiting"] = selectors.bookings_for_user(user=user).filter(
            status=BookingStatus.REQUESTED
        )
    if context["is_group_admin"]:
        context["my_groups"] = selectors.group_list(user=user)
    return render(request, "community/home.html", context)


# --- Peer supporters ----------------------------------------------------------------------


@login_required
def volunteer_list(request: HttpRequest) -> HttpResponse:
    supporters = selectors.supporter_list(user=request.user)
    today = _today()
    rows = [(s, selectors.supporter_readiness(s, on=today)) for s in supporters]
    return render(request, "community/volunteer_list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_new(request: HttpRequest) -> HttpResponse:
    selectors.coordinator_required(request.user)
    form = forms.SupporterForm(_posted(request), initial={"applied_on": _today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            supporter = supporter_services.supporter_apply(
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                phone=data["phone"],
                contact_route=data["contact_route"],
                home_postcode=data["home_postcode"],
                applied_on=data["applied_on"],
                languages=data["languages"],
                experiences=data["experiences"],
                availability=data["availability"],
                district_codes=data["districts"],
                max_travel_minutes=data["max_travel_minutes"],
                max_families=data["max_families"],
                application_notes=data["application_notes"],
                user=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            _apply_errors(form, _rename(error))
        else:
            messages.success(request, f"Application from {supporter} recorded")
            return HttpResponseRedirect(reverse("community:volunteer", args=[supporter.pk]))
    return _page(request, "volunteer_new.html", {"form": form}, form)


def _rename(error: ValidationError) -> ValidationError:
    # The service names the postcode field "postcode"; the form calls it "home_postcode".
    if hasattr(error, "error_dict") and "postcode" in error.message_dict:
        return ValidationError({"home_postcode": error.message_dict["postcode"]})
    return error


VOLUNTEER_FORMS: dict[str, type[Form]] = {
    "dbs": forms.DbsCheckForm,
    "training": forms.TrainingForm,
    "reference": forms.ReferenceForm,
    "supervision": forms.SupervisionForm,
    "status": forms.SupporterStatusForm,
}


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_detail(request: HttpRequest, supporter_id: int) -> HttpResponse:
    supporter = selectors.supporter_get_for_user(user=request.user, supporter_id=supporter_id)
    user: Any = request.user
    posted = request.POST.get("form") if request.method == "POST" else None
    bound: dict[str, Form] = {}
    for key, form_class in VOLUNTEER_FORMS.items():
        post_data = request.POST if posted == key else None
        initial = {"status": supporter.status} if key == "status" else None
        bound[key] = form_class(post_data, initial=initial, prefix=key)
    if posted in bound and bound[posted].is_valid():
        data = bound[posted].cleaned_data
        try:
            if posted == "dbs":
                supporter_services.dbs_check_record(supporter=supporter, user=user, **data)
            elif posted == "training":
                supporter_services.training_record_add(supporter=supporter, user=user, **data)
            elif posted == "reference":
                supporter_services.reference_record(supporter=supporter, user=user, **data)
            elif posted == "supervision":
                supporter_services.supervision_record(supporter=supporter, user=user, **data)
            else:
                supporter_services.supporter_status_set(supporter=supporter, user=user, **data)
        except ValidationError as error:
            _apply_errors(bound[posted], error)
        else:
            messages.success(request, "Saved")
            return HttpResponseRedirect(reverse("community:volunteer", args=[supporter.pk]))
    context = {
        "supporter": supporter,
        "readiness": selectors.supporter_readiness(supporter, on=_today()),
        "forms": bound,
        "form": bound.get(posted or ""),
    }
    return _page(request, "volunteer_detail.html", context, *bound.values())


@login_required
def expiry_list(request: HttpRequest) -> HttpResponse:
    selectors.coordinator_required(request.user)
    expiries = selectors.expiries_upcoming(on=_today(), within_days=60)
    return render(request, "community/expiry_list.html", {"expiries": expiries})


# --- Requests and matches -----------------------------------------------------------------


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    requests = selectors.request_list(user=request.user)
    return render(request, "community/request_list.html", {"requests": requests})


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    selectors.coordinator_required(request.user)
    form = forms.RequestForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            peer_request = match_services.request_create(user=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return HttpResponseRedirect(reverse("community:request", args=[peer_request.pk]))
    return _page(request, "request_new.html", {"form": form}, form)


@login_required
@require_http_methods(["GET", "POST"])
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    peer_request = selectors.request_get_for_user(user=request.user, request_id=request_id)
    error_text = ""
    if request.method == "POST":
        try:
            supporter_id = int(request.POST.get("supporter", ""))
            supporter = selectors.supporter_get_for_user(
                user=request.user, supporter_id=supporter_id
            )
            match = match_services.match_propose(
                request=peer_request,
                supporter=supporter,
                user=request.user,  # type: ignore[arg-type]
                on=_today(),
            )
        except ValueError:
            error_text = "Choose a peer supporter"
        except ValidationError as error:
            error_text = " ".join(error.messages)
        else:
            messages.success(request, f"Match proposed: {match}")
            return HttpResponseRedirect(reverse("community:match", args=[match.pk]))
    ranking = rank_supporters(peer_request, on=_today())
    context = {"peer_request": peer_request, "ranking": ranking, "error_text": error_text}
    return render(
        request, "community/request_detail.html", context, status=400 if error_text else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_refer_family(request: HttpRequest, family_id: int) -> HttpResponse:
    """A family's worker refers them for peer support (only what matching needs is copied)."""
    from familyreach.families.selectors import family_get_for_user

    family = family_get_for_user(user=request.user, family_id=family_id)
    form = forms.ReferralForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            match_services.request_refer_family(
                family_id=family.pk,
                user=request.user,  # type: ignore[arg-type]
                **form.cleaned_data,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Referred for peer support. A coordinator will find a match.")
            return HttpResponseRedirect(reverse("families:detail", args=[family.pk]))
    carer = family.carers.first()
    context = {"form": form, "family": family, "carer": carer}
    return _page(request, "request_refer.html", context, form)


@login_required
def match_list(request: HttpRequest) -> HttpResponse:
    matches = selectors.match_list(user=request.user)
    return render(request, "community/match_list.html", {"matches": matches})


@login_required
@require_http_methods(["GET", "POST"])
def match_detail(request: HttpRequest, match_id: int) -> HttpResponse:
    match = selectors.match_get_for_user(user=request.user, match_id=match_id)
    user: Any = request.user
    action = request.POST.get("action") if request.method == "POST" else None
    start_form = forms.MatchStartForm(request.POST if action == "start" else None, prefix="start")
    end_form = forms.MatchEndForm(request.POST if action == "end" else None, prefix="end")
    check_in_form = forms.CheckInForm(
        request.POST if action == "check-in" else None,
        prefix="check",
        initial={"held_on": _today()},
    )
    shown: dict[str, Form] = {"start": start_form, "end": end_form, "check-in": check_in_form}
    if action in ("introduce", "pause"):
        try:
            if action == "introduce":
                match_services.match_introduce(match=match, on=_today(), user=user)
            else:
                match_services.match_pause(match=match, user=user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(reverse("community:match", args=[match.pk]))
    form = shown.get(action or "")
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            if action == "start":
                match_services.match_start(
                    match=match, on=_today(), wellbeing_start=data["wellbeing_start"], user=user
                )
            elif action == "end":
                match_services.match_end(match=match, on=_today(), user=user, **data)
            else:
                match_services.check_in_record(match=match, user=user, **data)
        except ValidationError as error:
            _apply_errors(form, error)
            match.refresh_from_db()
        else:
            messages.success(request, "Saved")
            return HttpResponseRedirect(reverse("community:match", args=[match.pk]))
    context = {
        "match": match,
        "start_form": start_form,
        "end_form": end_form,
        "check_in_form": check_in_form,
        "form": form,
        "statuses": MatchStatus,
    }
    return _page(request, "match_detail.html", context, *shown.values())


@login_required
def my_matches(request: HttpRequest) -> HttpResponse:
    """A volunteer's own matches: first names, contact route and stated needs only."""
    views = selectors.volunteer_matches(user=request.user)
    return render(request, "community/my_matches.html", {"matches": views})


# --- Safeguarding -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def concern_raise(request: HttpRequest) -> HttpResponse:
    if not selectors.user_may_raise_concern(request.user):
        raise PermissionDenied("You cannot raise a concern here; call the safeguarding team.")
    form = forms.ConcernForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        concern = safeguarding_services.concern_raise(user=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        return HttpResponseRedirect(reverse("community:concern", args=[concern.pk]) + "?sent=1")
    return _page(request, "concern_raise.html", {"form": form}, form)


@login_required
def concern_list(request: HttpRequest) -> HttpResponse:
    concerns = selectors.concern_list(user=request.user)
    return render(request, "community/concern_list.html", {"concerns": concerns})


@login_required
@require_http_methods(["GET", "POST"])
def concern_detail(request: HttpRequest, concern_id: int) -> HttpResponse:
    concern = selectors.concern_get_for_user(user=request.user, concern_id=concern_id)
    user: Any = request.user
    may_decide = user.has_perm("community.review_concerns")
    form = forms.ConcernDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not may_decide:
            raise PermissionDenied("Only safeguarding leads and coordinators record decisions.")
        if form.is_valid():
            safeguarding_services.concern_decide(concern=concern, user=user, **form.cleaned_data)
            messages.success(request, "Decision recorded")
            return HttpResponseRedirect(reverse("community:concern", args=[concern.pk]))
    context = {
        "concern": concern,
        "form": form if may_decide else None,
        "just_sent": request.GET.get("sent") == "1",
        # Whether its message has reached the duty lead (its state only, never its content).
        "message": outbox_selectors.message_for_reference(
            reference=concern.reference, kind=MessageKind.SAFEGUARDING
        ),
    }
    return _page(request, "concern_detail.html", context, form)


# --- Community groups ---------------------------------------------------------------------


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    groups = selectors.group_list(user=request.user)
    return render(request, "community/group_list.html", {"groups": groups})


@login_required
@require_http_methods(["GET", "POST"])
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    group = selectors.group_get_for_user(user=request.user, group_id=group_id)
    user: Any = request.user
    action = request.POST.get("action") if request.method == "POST" else None
    review_form = forms.ReviewNotesForm(
        request.POST if action in ("approve", "reject") else None, prefix="review"
    )
    attendance_form = forms.AttendanceForm(
        request.POST if action == "attendance" else None,
        prefix="attendance",
        initial={"met_on": _today()},
    )
    help_form = forms.HelpRequestForm(request.POST if action == "help" else None, prefix="help")
    shown = {"approve": review_form, "reject": review_form, "attendance": attendance_form}
    shown["help"] = help_form
    if action is not None:
        form = shown.get(action)
        if form is None:
            raise PermissionDenied("Unknown action")
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "approve":
                    group_services.group_approve(group=group, user=user, notes=data["notes"])
                elif action == "reject":
                    group_services.group_reject(group=group, user=user, notes=data["notes"])
                elif action == "attendance":
                    group_services.group_attendance_record(group=group, user=user, **data)
                else:
                    group_services.startup_help_request(group=group, user=user, **data)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, "Saved")
                return HttpResponseRedirect(reverse("community:group", args=[group.pk]))
    context = {
        "group": group,
        "is_coordinator": selectors.user_is_coordinator(user),
        "problems": group_approval_problems(group),
        "totals": selectors.group_attendance_totals(group),
        "counts": group.attendance_counts.all()[:10],
        "help_requests": group.help.all(),
        "review_form": review_form,
        "attendance_form": attendance_form,
        "help_form": help_form,
        "form": shown.get(action or ""),
    }
    return _page(request, "group_detail.html", context, review_form, attendance_form, help_form)


@login_required
@require_POST
def help_decide(request: HttpRequest, help_id: int) -> HttpResponse:
    selectors.coordinator_required(request.user)
    help_request = StartUpHelp.objects.select_related("group").filter(pk=help_id).first()
    if help_request is None:
        raise Http404("No such request")
    form = forms.HelpDecisionForm(request.POST)
    if form.is_valid():
        try:
            group_services.startup_help_decide(
                help_request=help_request,
                user=request.user,  # type: ignore[arg-type]
                status=form.cleaned_data["status"],
                amount_awarded=form.cleaned_data["amount_awarded"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Decision recorded")
    else:
        messages.error(request, "Select a decision")
    return HttpResponseRedirect(reverse("community:group", args=[help_request.group_id]))


# --- Rooms --------------------------------------------------------------------------------


@login_required
def room_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not (selectors.user_is_coordinator(user) or user.has_role(Role.COMMUNITY_GROUP_ADMIN)):
        raise PermissionDenied("Rooms are booked by coordinators and community groups.")
    context = {
        "rooms": selectors.room_list(),
        "bookings": selectors.bookings_for_user(user=user).filter(
            ends_at__gte=timezone.now() - timedelta(days=30)
        ),
        "is_coordinator": selectors.user_is_coordinator(user),
    }
    return render(request, "community/room_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def room_detail(request: HttpRequest, room_id: int) -> HttpResponse:
    user: Any = request.user
    if not (selectors.user_is_coordinator(user) or user.has_role(Role.COMMUNITY_GROUP_ADMIN)):
        raise PermissionDenied("Rooms are booked by coordinators and community groups.")
    room = selectors.room_get(room_id=room_id)
    my_groups = selectors.group_list(user=user).filter(status=GroupStatus.APPROVED)
    form = forms.BookingForm(
        _posted(request), groups=[(g.pk, g.name) for g in my_groups], prefix="booking"
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        group = my_groups.filter(pk=data["group"]).first() if data.get("group") else None
        try:
            room_services.room_booking_request(
                room=room,
                starts_at=data["start"],
                ends_at=data["end"],
                organisation_name=data["organisation_name"],
                purpose=data["purpose"],
                benefits_under_fives=data["benefits_under_fives"],
                group=group,
                user=user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request, "Booking requested. The council will approve it or get in touch."
            )
            return HttpResponseRedirect(reverse("community:room", args=[room.pk]))
    start = timezone.now()
    calendar = selectors.room_calendar(room=room, start=start, end=start + timedelta(weeks=8))
    context = {"room": room, "form": form, "calendar": calendar}
    return _page(request, "room_detail.html", context, form)


@login_required
@require_POST
def booking_decide(request: HttpRequest, booking_id: int) -> HttpResponse:
    selectors.coordinator_required(request.user)  # before anything else, even a bad form
    booking = selectors.booking_get_for_user(user=request.user, booking_id=booking_id)
    user: Any = request.user
    form = forms.BookingDecisionForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                room_services.room_booking_approve(
                    booking=booking, user=user, notes=form.cleaned_data["notes"]
                )
            else:
                room_services.room_booking_refuse(
                    booking=booking, user=user, notes=form.cleaned_data["notes"]
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Decision recorded")
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return HttpResponseRedirect(reverse("community:rooms"))


@login_required
@require_POST
def booking_use(request: HttpRequest, booking_id: int) -> HttpResponse:
    booking = selectors.booking_get_for_user(user=request.user, booking_id=booking_id)
    form = forms.UseCountForm(request.POST)
    if form.is_valid():
        try:
            room_services.room_booking_use_record(
                booking=booking,
                people=form.cleaned_data["people"],
                user=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Use counted")
    else:
        messages.error(request, "Enter how many people used the room")
    return HttpResponseRedirect(reverse("community:rooms"))
