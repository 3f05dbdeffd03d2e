"""Forms for the community pages. Each validates what people type and says what is wrong in
GOV.UK style; the services do the rest."""

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from familyreach.community.models import (
    AvailabilitySlot,
    ConcernDecisionKind,
    ConcernUrgency,
    Experience,
    GroupFrequency,
    GroupKind,
    HelpKind,
    HelpStatus,
    MatchOutcome,
    SupporterStatus,
    TrainingModule,
    Weekday,
)
from familyreach.core.uploads import validate_document


class GovRadioSelect(forms.RadioSelect):
    # The error summary links to `id_for_label`; GOV.UK radios give the first option the
    # field's own id, so point there instead of Django's "" for grouped inputs.
    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return id_


class GovCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return id_


def _languages(text: str) -> list[str]:
    return [part.strip().title() for part in text.replace(";", ",").split(",") if part.strip()]


class LanguagesField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text", "Separate languages with commas, for example English, Polish"
        )
        kwargs.setdefault("initial", "English")
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return _languages(str(value or ""))

    def prepare_value(self, value: Any) -> str:
        return ", ".join(value) if isinstance(value, list) else str(value or "")


def _experiences(label: str, help_text: str = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=Experience.choices,
        widget=GovCheckboxSelectMultiple,
        required=False,
        help_text=help_text,
    )


def _availability(label: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=AvailabilitySlot.choices,
        widget=GovCheckboxSelectMultiple,
        required=False,
        help_text="Select all that apply",
    )


class DateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "error_messages", {"invalid": "Enter a real date", "required": "Enter a date"}
        )
        super().__init__(**kwargs)


# --- Peer supporters ----------------------------------------------------------------------


class SupporterForm(forms.Form):
    first_name = forms.CharField(max_length=100, error_messages={"required": "Enter a first name"})
    last_name = forms.CharField(max_length=100, error_messages={"required": "Enter a last name"})
    email = forms.EmailField(required=False, error_messages={"invalid": "Enter a real email"})
    phone = forms.CharField(max_length=30, required=False)
    contact_route = forms.CharField(
        label="How a matched family gets in touch",
        max_length=200,
        error_messages={"required": "Say how a family gets in touch"},
        help_text="For example, through the coordinator on 01603 123456",
    )
    home_postcode = forms.CharField(
        label="Home postcode", max_length=10, error_messages={"required": "Enter a postcode"}
    )
    applied_on = DateField(label="Date of application")
    languages = LanguagesField(label="Languages they speak")
    experiences = _experiences("Lived experiences they offer", "Select all that apply")
    availability = _availability("When they are free")
    districts = forms.MultipleChoiceField(
        label="Districts they can reach",
        widget=GovCheckboxSelectMultiple,
        required=False,
        help_text="Their home district is added for them",
    )
    max_travel_minutes = forms.IntegerField(
        label="Longest journey they will make, in minutes", min_value=5, max_value=180, initial=30
    )
    max_families = forms.IntegerField(
        label="Families they can support at once", min_value=1, max_value=10, initial=2
    )
    application_notes = forms.CharField(widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from familyreach.geo.models import District

        super().__init__(*args, **kwargs)
        districts: Any = self.fields["districts"]
        districts.choices = [(d.code, d.name) for d in District.objects.order_by("name")]


class SupporterStatusForm(forms.Form):
    status = forms.ChoiceField(choices=SupporterStatus.choices, widget=GovRadioSelect)


class ReferenceForm(forms.Form):
    referee_name = forms.CharField(max_length=200, error_messages={"required": "Enter a name"})
    relationship = forms.CharField(
        max_length=200, error_messages={"required": "Enter how they know the volunteer"}
    )
    received_on = DateField(label="Date received", required=False)
    satisfactory = forms.BooleanField(label="The reference is satisfactory", required=False)


class DbsCheckForm(forms.Form):
    certificate_number = forms.CharField(
        max_length=14,
        help_text="12 digits, on the certificate",
        error_messages={"required": "Enter the certificate number"},
    )
    issued_on = DateField(label="Date of issue")
    recheck_due_on = DateField(label="Recheck due", help_text="Usually 3 years after issue")
    update_service_subscribed = forms.BooleanField(
        label="Subscribed to the DBS update service", required=False
    )
    clear = forms.BooleanField(
        label="Nothing on the certificate stops them volunteering with families",
        required=False,
        initial=True,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        issued, due = data.get("issued_on"), data.get("recheck_due_on")
        if issued and due and due <= issued:
            self.add_error("recheck_due_on", "The recheck date must be after the date of issue")
        return data


class TrainingForm(forms.Form):
    module = forms.ChoiceField(
        choices=TrainingModule.choices,
        widget=GovRadioSelect,
        error_messages={"required": "Select the training"},
    )
    completed_on = DateField(label="Date completed")
    expires_on = DateField(
        label="Expiry date", required=False, help_text="Leave blank if it does not expire"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        done, expires = data.get("completed_on"), data.get("expires_on")
        if done and expires and expires <= done:
            self.add_error("expires_on", "The expiry date must be after completion")
        return data


class SupervisionForm(forms.Form):
    held_on = DateField(label="Date of supervision")
    notes = forms.CharField(widget=forms.Textarea, required=False)


# --- Requests and matches -----------------------------------------------------------------


class RequestForm(forms.Form):
    first_name = forms.CharField(
        label="Parent's first name", max_length=100, error_messages={"required": "Enter a name"}
    )
    contact_route = forms.CharField(
        label="How the volunteer should make first contact",
        max_length=200,
        help_text="As agreed with the family, for example: text 07700 900123 after 10am",
        error_messages={"required": "Say how to make first contact"},
    )
    postcode = forms.CharField(max_length=10, error_messages={"required": "Enter a postcode"})
    languages = LanguagesField(label="Languages the family would like to use")
    experiences_wanted = _experiences(
        "Experiences they would like to share", "Select all that apply"
    )
    availability = _availability("When the family is free")
    stated_needs = forms.CharField(
        label="What the family would like help with",
        widget=forms.Textarea,
        help_text="In the family's own words. The volunteer will see this.",
        error_messages={"required": "Say what the family would like help with"},
    )


class ReferralForm(forms.Form):
    contact_route = RequestForm.base_fields["contact_route"]
    languages = LanguagesField(label="Languages the family would like to use")
    experiences_wanted = _experiences(
        "Experiences they would like to share", "Select all that apply"
    )
    availability = _availability("When the family is free")
    stated_needs = RequestForm.base_fields["stated_needs"]


class MatchStartForm(forms.Form):
    wellbeing_start = forms.IntegerField(
        label="The parent's own rating of how they feel, from 1 (very low) to 10 (very good)",
        min_value=1,
        max_value=10,
        error_messages={"required": "Enter a rating from 1 to 10"},
    )


class MatchEndForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=MatchOutcome.choices,
        widget=GovRadioSelect,
        error_messages={"required": "Select the outcome"},
    )
    wellbeing_end = forms.IntegerField(
        label="The parent's own rating now, from 1 to 10",
        min_value=1,
        max_value=10,
        required=False,
    )
    notes = forms.CharField(widget=forms.Textarea, required=False)


class CheckInForm(forms.Form):
    held_on = DateField(label="Date of check-in")
    notes = forms.CharField(
        widget=forms.Textarea, error_messages={"required": "Say how it is going"}
    )
    wellbeing = forms.IntegerField(
        label="The parent's own rating today, 1 to 10 (if asked)",
        min_value=1,
        max_value=10,
        required=False,
    )


# --- Safeguarding -------------------------------------------------------------------------


class ConcernForm(forms.Form):
    urgency = forms.ChoiceField(
        label="How urgent is it?",
        choices=ConcernUrgency.choices,
        widget=GovRadioSelect,
        error_messages={"required": "Select how urgent it is"},
    )
    about = forms.CharField(
        label="Who are you worried about?",
        max_length=200,
        help_text="A first name, or describe them",
        error_messages={"required": "Say who you are worried about"},
    )
    what_happened = forms.CharField(
        label="What did you see or hear?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what you saw or heard"},
    )
    where = forms.CharField(label="Where? (optional)", max_length=200, required=False)


class ConcernDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=ConcernDecisionKind.choices,
        widget=GovRadioSelect,
        error_messages={"required": "Select a decision"},
    )
    notes = forms.CharField(
        widget=forms.Textarea, error_messages={"required": "Record what was decided and why"}
    )


# --- Community groups ---------------------------------------------------------------------


def _time_field(label: str, **kwargs: Any) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="For example, 09:30",
        error_messages={"invalid": "Enter a time like 09:30", "required": "Enter a time"},
        **kwargs,
    )


class GroupRegistrationForm(forms.Form):
    name = forms.CharField(
        label="Name of the group", max_length=200, error_messages={"required": "Enter a name"}
    )
    kind = forms.ChoiceField(
        label="What kind of group is it?",
        choices=GroupKind.choices,
        widget=GovRadioSelect,
        error_messages={"required": "Select what kind of group it is"},
    )
    description = forms.CharField(
        label="What happens at the group",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what happens at the group"},
    )
    who_for = forms.CharField(
        label="Who is it for?",
        max_length=300,
        help_text="For example, parents and carers with babies under one",
        error_messages={"required": "Say who the group is for"},
    )
    venue_name = forms.CharField(
        label="Where do you meet?", max_length=200, error_messages={"required": "Enter the venue"}
    )
    venue_postcode = forms.CharField(
        label="Venue postcode", max_length=10, error_messages={"required": "Enter the postcode"}
    )
    weekday = forms.TypedChoiceField(
        label="Day",
        choices=Weekday.choices,
        coerce=int,
        error_messages={"required": "Select the day you meet"},
    )
    starts_at = _time_field("Start time")
    ends_at = _time_field("End time")
    frequency = forms.ChoiceField(
        label="How often", choices=GroupFrequency.choices, initial=GroupFrequency.WEEKLY
    )
    cost_description = forms.CharField(
        label="Cost (optional)", max_length=200, required=False, help_text="Leave blank if free"
    )
    contact_email = forms.EmailField(
        label="Group email address",
        error_messages={"required": "Enter an email address", "invalid": "Enter a real email"},
    )
    lead_name = forms.CharField(
        label="Group lead's full name", max_length=200, error_messages={"required": "Enter a name"}
    )
    lead_email = forms.EmailField(
        label="Group lead's email address",
        error_messages={"required": "Enter an email address", "invalid": "Enter a real email"},
    )
    safeguarding_lead_name = forms.CharField(
        label="Safeguarding lead's full name",
        max_length=200,
        help_text="Can be the group lead",
        error_messages={"required": "Name the group's safeguarding lead"},
    )
    safeguarding_lead_email = forms.EmailField(
        label="Safeguarding lead's email address",
        error_messages={"required": "Enter an email address", "invalid": "Enter a real email"},
    )
    insurance_url = forms.URLField(
        label="Link to your insurance certificate (optional)",
        required=False,
        error_messages={"invalid": "Enter a web address starting https://"},
    )
    insurance_file = forms.FileField(label="Or upload it (optional)", required=False)
    policy_url = forms.URLField(
        label="Link to your safeguarding policy (optional)",
        required=False,
        error_messages={"invalid": "Enter a web address starting https://"},
    )
    policy_file = forms.FileField(label="Or upload it (optional)", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The end time must be after the start time")
        for name in ("insurance_file", "policy_file"):
            upload = data.get(name)
            if upload:
                try:
                    validate_document(upload)
                except ValidationError as problem:
                    self.add_error(name, problem)
        return data


class AttendanceForm(forms.Form):
    met_on = DateField(label="Date of the meeting")
    children = forms.IntegerField(
        label="Number of children",
        min_value=0,
        max_value=500,
        error_messages={"required": "Enter a number"},
    )
    adults = forms.IntegerField(
        label="Number of adults",
        min_value=0,
        max_value=500,
        error_messages={"required": "Enter a number"},
    )


class HelpRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label="What help do you need?",
        choices=HelpKind.choices,
        widget=GovRadioSelect,
        error_messages={"required": "Select the help you need"},
    )
    amount_requested = forms.DecimalField(
        label="Amount, in pounds (for a grant)",
        required=False,
        min_value=1,
        max_value=5000,
        decimal_places=2,
    )
    purpose = forms.CharField(
        label="What it is for",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what it is for"},
    )


class HelpDecisionForm(forms.Form):
    status = forms.ChoiceField(
        label="Decision",
        choices=[(v, label) for v, label in HelpStatus.choices if v != HelpStatus.REQUESTED],
        widget=GovRadioSelect,
    )
    amount_awarded = forms.DecimalField(label="Amount awarded, £", required=False, min_value=0)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ReviewNotesForm(forms.Form):
    notes = forms.CharField(label="Notes", widget=forms.Textarea(attrs={"rows": 3}), required=False)


# --- Rooms --------------------------------------------------------------------------------


class BookingForm(forms.Form):
    group = forms.TypedChoiceField(label="For which group", coerce=int, required=False)
    organisation_name = forms.CharField(
        label="Organisation or group name (if not listed)", max_length=200, required=False
    )
    purpose = forms.CharField(
        label="What the room is for",
        max_length=300,
        error_messages={"required": "Say what the room is for"},
    )
    day = DateField(label="Date")
    starts_at = _time_field("Start time")
    ends_at = _time_field("End time")
    benefits_under_fives = forms.BooleanField(
        label="This use benefits families with children under five",
        error_messages={"required": "Rooms are for uses that benefit families with under-fives"},
    )

    def __init__(
        self, *args: Any, groups: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        group_field: Any = self.fields["group"]
        group_field.choices = [("", "Not for a registered group"), *(groups or [])]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The end time must be after the start time")
        if not data.get("group") and not data.get("organisation_name"):
            self.add_error("organisation_name", "Choose a group or enter an organisation name")
        day: date | None = data.get("day")
        if day and starts:
            data["start"] = _aware(day, starts)
        if day and ends:
            data["end"] = _aware(day, ends)
        return data


def _aware(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=timezone.get_current_timezone())


class BookingDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("refuse", "Refuse")],
        widget=GovRadioSelect,
        error_messages={"required": "Select approve or refuse"},
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Needed when refusing: say why",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "refuse" and not data.get("notes", "").strip():
            self.add_error("notes", "Say why the booking is refused")
        return data


class UseCountForm(forms.Form):
    people = forms.IntegerField(label="How many people used the room", min_value=0, max_value=1000)


def validation_messages(error: ValidationError) -> list[str]:
    return list(error.messages)
