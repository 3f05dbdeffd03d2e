"""Forms for sessions, bookings, registers and visits."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.delivery.models import (
    Base,
    BookingMode,
    Recurrence,
    SessionCategory,
    VisitKind,
    VisitStatus,
)
from familyreach.delivery.services import OnlineBookingDetails, SessionDetails
from familyreach.families.forms import (
    CheckboxesWidget,
    ChildOrDueDateMixin,
    DateField,
    PostcodeField,
)
from familyreach.families.services import CarerDetails
from familyreach.geo.models import Venue, VenueKind, VenueStatus

SESSION_VENUE_KINDS = (
    VenueKind.FAMILY_BASE,
    VenueKind.LIBRARY,
    VenueKind.VILLAGE_HALL,
    VenueKind.COMMUNITY_CENTRE,
    VenueKind.CHILDRENS_CENTRE,
)
TIME_FORMATS = ["%H:%M", "%H.%M", "%H%M"]


def _people(*roles: Role) -> Any:
    return User.objects.filter(groups__name__in=[r.value for r in roles], is_active=True).distinct()


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class SessionForm(forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": "Enter the session's name"})
    description = forms.CharField(required=False, widget=forms.Textarea)
    category = forms.ChoiceField(
        choices=SessionCategory.choices, error_messages={"required": "Choose the kind of session"}
    )
    venue = forms.ModelChoiceField(
        queryset=Venue.objects.filter(kind__in=SESSION_VENUE_KINDS).exclude(
            status=VenueStatus.CLOSED
        ),
        error_messages={"required": "Choose where the session happens"},
    )
    base = forms.ModelChoiceField(queryset=Base.objects.all(), required=False)
    capacity = forms.IntegerField(
        min_value=1,
        max_value=500,
        error_messages={
            "required": "Enter how many families can come",
            "min_value": "Places must be 1 or more",
            "max_value": "Places must be 500 or fewer",
            "invalid": "Places must be a number, like 12",
        },
    )
    age_from_months = forms.IntegerField(min_value=0, max_value=216, initial=0)
    age_to_months = forms.IntegerField(min_value=0, max_value=216, initial=60)
    booking_mode = forms.ChoiceField(choices=BookingMode.choices, initial=BookingMode.BOOKED)
    recurrence = forms.ChoiceField(choices=Recurrence.choices, initial=Recurrence.WEEKLY)
    start_date = DateField(label_text="First date", required=True)
    end_date = DateField(label_text="Last date")
    start_time = forms.TimeField(
        input_formats=TIME_FORMATS,
        error_messages={"required": "Enter the start time", "invalid": "Enter a time like 10:00"},
    )
    end_time = forms.TimeField(
        input_formats=TIME_FORMATS,
        error_messages={"required": "Enter the end time", "invalid": "Enter a time like 11:30"},
    )
    term_time_only = forms.BooleanField(required=False)
    staff = PeopleChoiceField(
        queryset=_people(Role.FAMILY_WORKER, Role.OUTREACH_WORKER, Role.MANAGER),
        required=False,
        widget=CheckboxesWidget,
    )
    volunteers = PeopleChoiceField(
        queryset=_people(Role.VOLUNTEER, Role.VOLUNTEER_COORDINATOR),
        required=False,
        widget=CheckboxesWidget,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Querysets are evaluated per form, so new staff appear without a restart.
        self.fields["staff"].queryset = _people(  # type: ignore[attr-defined]
            Role.FAMILY_WORKER, Role.OUTREACH_WORKER, Role.MANAGER
        )
        self.fields["volunteers"].queryset = _people(  # type: ignore[attr-defined]
            Role.VOLUNTEER, Role.VOLUNTEER_COORDINATOR
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "The end time must be after the start time")
        if (data.get("age_to_months") or 0) < (data.get("age_from_months") or 0):
            self.add_error("age_to_months", "The oldest age must be at least the youngest age")
        if (
            data.get("end_date")
            and data.get("start_date")
            and data["end_date"] < data["start_date"]
        ):
            self.add_error("end_date", "The last date must be on or after the first date")
        return data

    def details(self) -> SessionDetails:
        data = self.cleaned_data
        return SessionDetails(
            title=data["title"],
            description=data["description"],
            category=data["category"],
            venue=data["venue"],
            base=data["base"],
            capacity=data["capacity"],
            age_from_months=data["age_from_months"] or 0,
            age_to_months=data["age_to_months"] if data["age_to_months"] is not None else 60,
            booking_mode=data["booking_mode"],
            recurrence=data["recurrence"],
            start_date=data["start_date"],
            end_date=None if data["recurrence"] == Recurrence.ONE_OFF else data["end_date"],
            start_time=data["start_time"],
            end_time=data["end_time"],
            term_time_only=data["term_time_only"],
        )


class BookFamilyForm(forms.Form):
    family = forms.IntegerField(
        min_value=1,
        error_messages={
            "required": "Enter the family number",
            "invalid": "The family number is a number, like 1234",
        },
    )


class FamilyBookForm(forms.Form):
    occurrence = forms.IntegerField(error_messages={"required": "Choose a session to book"})


class WalkInForm(ChildOrDueDateMixin):
    carer_first_name = forms.CharField(
        max_length=100, error_messages={"required": "Enter the parent or carer's first name"}
    )
    carer_last_name = forms.CharField(max_length=100, required=False)
    phone = forms.CharField(max_length=30, required=False)
    postcode = PostcodeField()
    child_first_name = forms.CharField(max_length=100, required=False)
    child_date_of_birth = DateField(label_text="Child's date of birth", past_only=True)
    expected_due_date = DateField(label_text="Due date")
    adults = forms.IntegerField(min_value=0, max_value=20, initial=1)
    children = forms.IntegerField(min_value=0, max_value=20, initial=1)
    consent_keep_record = forms.BooleanField(
        error_messages={"required": "Confirm you have told the family how we use their information"}
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.require_birth_or_due_date(data)
        if (data.get("adults") or 0) + (data.get("children") or 0) == 0:
            self.add_error("adults", "Enter at least one adult or child")
        return data

    def carer(self) -> CarerDetails:
        data = self.cleaned_data
        return CarerDetails(
            first_name=data["carer_first_name"],
            last_name=data["carer_last_name"],
            phone=data["phone"],
        )


class VisitScheduleForm(forms.Form):
    kind = forms.ChoiceField(
        choices=VisitKind.choices, error_messages={"required": "Choose the kind of contact"}
    )
    day = DateField(label_text="Date", required=True)
    at = forms.TimeField(
        input_formats=TIME_FORMATS,
        error_messages={"required": "Enter the time", "invalid": "Enter a time like 14:30"},
    )
    purpose = forms.CharField(max_length=300, required=False)


class VisitRecordForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(v, label) for v, label in VisitStatus.choices if v != VisitStatus.SCHEDULED],
        error_messages={"required": "Choose what happened"},
    )
    outcome_notes = forms.CharField(required=False, widget=forms.Textarea)
    next_action = forms.CharField(max_length=300, required=False)
    next_action_due = DateField(label_text="Next action due")


class OnlineBookingForm(ChildOrDueDateMixin):
    missing_child_message = "Enter your child's date of birth or your due date"

    carer_first_name = forms.CharField(
        max_length=100, error_messages={"required": "Enter your first name"}
    )
    carer_last_name = forms.CharField(
        max_length=100, error_messages={"required": "Enter your last name"}
    )
    email = forms.EmailField(
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    phone = forms.CharField(max_length=30, required=False)
    postcode = PostcodeField(error_messages={"required": "Enter your postcode, like NR30 1NE"})
    child_first_name = forms.CharField(max_length=100, required=False)
    child_date_of_birth = DateField(label_text="Your child's date of birth", past_only=True)
    expected_due_date = DateField(label_text="Your due date")
    remind_by = forms.MultipleChoiceField(
        required=False,
        choices=[("email", "By email"), ("text", "By text message")],
        widget=CheckboxesWidget,
    )
    privacy = forms.BooleanField(
        error_messages={"required": "Confirm you have read how we use your information"}
    )

    def clean_phone(self) -> str:
        phone: str = self.cleaned_data.get("phone", "").strip()
        digits = phone.replace(" ", "").replace("-", "")
        if digits.startswith("+44"):
            digits = "0" + digits[3:]
        if phone and not (digits.isascii() and digits.isdigit() and digits.startswith("07")):
            raise ValidationError("Enter a UK mobile number, like 07700 900982")
        if phone and len(digits) != 11:
            raise ValidationError("Enter a UK mobile number, like 07700 900982")
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.require_birth_or_due_date(data)
        typed_wrong = self.has_error("email") or self.has_error("phone")
        if not data.get("email") and not data.get("phone") and not typed_wrong:
            # Without one of them we cannot send the link, and nothing is booked without it.
            self.add_error(
                "email",
                "Enter your email address or mobile number so we can send you a link to "
                "confirm the booking",
            )
        reminders = set(data.get("remind_by") or [])
        if "email" in reminders and not data.get("email"):
            self.add_error("email", "Enter your email address to get reminders by email")
        if "text" in reminders and not data.get("phone"):
            self.add_error("phone", "Enter your mobile number to get reminders by text")
        return data

    def details(self) -> OnlineBookingDetails:
        data = self.cleaned_data
        reminders = set(data["remind_by"])
        return OnlineBookingDetails(
            carer_first_name=data["carer_first_name"],
            carer_last_name=data["carer_last_name"],
            email=data["email"],
            phone=data["phone"],
            postcode=data["postcode"],
            child_first_name=data["child_first_name"],
            child_date_of_birth=data["child_date_of_birth"],
            expected_due_date=None if data["child_date_of_birth"] else data["expected_due_date"],
            remind_by_email="email" in reminders,
            remind_by_text="text" in reminders,
        )


class OccurrenceCancelForm(forms.Form):
    reason = forms.CharField(
        max_length=200,
        error_messages={
            "required": "Enter the reason: families are told why the session is off",
            "max_length": "The reason must be 200 characters or fewer",
        },
    )


class SchoolHolidayForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        error_messages={"required": "Enter the holiday's name, like February half term"},
    )
    start_date = DateField(label_text="First day", required=True)
    end_date = DateField(label_text="Last day", required=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The last day must be the same as or after the first day")
        return data


class SessionExceptionForm(forms.Form):
    day = DateField(label_text="Date", required=True)
    reason = forms.CharField(max_length=200, required=False)


AGE_CHOICES = [
    ("", "Any age"),
    ("-1", "Expecting a baby"),
    ("0", "Under 1"),
    ("1", "1 year old"),
    ("2", "2 years old"),
    ("3", "3 years old"),
    ("4", "4 years old"),
]
# The same distances as /find's, so a search carried from a /find card keeps its radius.
RADIUS_CHOICES = [
    ("1", "1 mile"),
    ("2", "2 miles"),
    ("5", "5 miles"),
    ("10", "10 miles"),
    ("20", "20 miles"),
]


class BookFilterForm(forms.Form):
    """/book/'s GET form: near a postcode (or town), for a child's age. Every field optional."""

    postcode = forms.CharField(max_length=60, required=False)
    radius = forms.TypedChoiceField(
        choices=RADIUS_CHOICES, coerce=int, required=False, empty_value=None, initial="5"
    )
    age = forms.TypedChoiceField(choices=AGE_CHOICES, coerce=int, required=False, empty_value=None)
    session = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        # A link with no radius (from a /find card) searches 5 miles and the list must say so:
        # the select shows what was searched, never its first option by default.
        if data is not None and not data.get("radius"):
            data = data.copy()
            data["radius"] = "5"
        super().__init__(data, **kwargs)


class RegisterCloseForm(forms.Form):
    confirm = forms.BooleanField(
        error_messages={"required": "Confirm the register is complete before you close it"}
    )
