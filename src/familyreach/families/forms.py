"""Forms for family records. Each says what is wrong in words a worker (or a parent booking
online) understands; GOV.UK date inputs are three boxes, read by `DateField` below."""

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from familyreach.families.models import ConsentMethod, ConsentPurpose, LawfulBasis
from familyreach.families.services import (
    TARGET_GROUP_FIELDS,
    CarerDetails,
    ChildDetails,
    TargetGroups,
)
from familyreach.geo.exceptions import InvalidPostcode
from familyreach.geo.postcodes import normalise_postcode


class CheckboxesWidget(forms.CheckboxSelectMultiple):
    """GOV.UK checkboxes: the first box carries the field's id, so error summary links reach it."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return id_


class DatePartsWidget(forms.Widget):
    """Reads `<name>-day`, `<name>-month`, `<name>-year` (the GOV.UK date input)."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        parts = tuple(
            (data.get(f"{name}-{part}") or "").strip() for part in ("day", "month", "year")
        )
        return parts if any(parts) else None

    def id_for_label(self, id_: str) -> str:
        return f"{id_}-day"


class DateField(forms.Field):
    widget = DatePartsWidget

    def __init__(self, *, label_text: str, past_only: bool = False, **kwargs: Any) -> None:
        self.label_text = label_text
        self.past_only = past_only
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> date | None:
        if not value:
            return None
        day, month, year = value
        if not (day and month and year):
            missing = [
                name for name, part in zip(("day", "month", "year"), value, strict=True) if not part
            ]
            raise ValidationError(f"{self.label_text} must include a {' and '.join(missing)}")
        try:
            parsed = date(int(year), int(month), int(day))
        # OverflowError: a part wider than a C int ("2147483648") fails before the range check.
        except (ValueError, OverflowError) as error:
            raise ValidationError(f"{self.label_text} must be a real date") from error
        if parsed.year < 1900:
            raise ValidationError(f"{self.label_text} must include a 4-digit year")
        return parsed

    def validate(self, value: Any) -> None:
        if value is None and self.required:
            raise ValidationError(f"Enter the {self.label_text.lower()}")
        from django.utils import timezone

        if value is not None and self.past_only and value > timezone.localdate():
            raise ValidationError(f"{self.label_text} must be today or in the past")

    def prepare_value(self, value: Any) -> Any:
        return value


class PostcodeField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault(
            "error_messages", {"required": "Enter the family's postcode, like NR30 1NE"}
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        try:
            return normalise_postcode(text)
        except InvalidPostcode as problem:
            raise ValidationError(problem.message) from problem


class TargetGroupsMixin(forms.Form):
    target_groups = forms.MultipleChoiceField(
        required=False,
        choices=[
            ("lone_parent", "Lone parent"),
            ("young_parent", "Young parent (under 20)"),
            ("disability_or_send", "Disability or special educational needs (SEND)"),
            ("english_additional_language", "English is an additional language"),
            ("workless_household", "No one in the household is in work"),
        ],
        widget=CheckboxesWidget,
    )

    def target_groups_value(self) -> TargetGroups:
        chosen = set(self.cleaned_data.get("target_groups") or [])
        return TargetGroups(**{name: name in chosen for name in TARGET_GROUP_FIELDS})


class ChildOrDueDateMixin(forms.Form):
    """Quick registration asks for one child: a born child's date of birth, or a baby's due
    date. Shared by the family register form and delivery's walk-in and online booking forms so
    the rule, its wording and the `ChildDetails` it builds stay the same everywhere."""

    missing_child_message = "Enter the child's date of birth or the baby's due date"

    def require_birth_or_due_date(self, data: dict[str, Any]) -> None:
        if (
            not data.get("child_date_of_birth")
            and not data.get("expected_due_date")
            and "child_date_of_birth" not in self.errors
            and "expected_due_date" not in self.errors
        ):
            self.add_error("child_date_of_birth", self.missing_child_message)

    def child(self) -> ChildDetails:
        data = self.cleaned_data
        return ChildDetails(
            first_name=data["child_first_name"],
            last_name=data["carer_last_name"],
            date_of_birth=data["child_date_of_birth"],
            expected_due_date=None if data["child_date_of_birth"] else data["expected_due_date"],
        )


class FamilyRegisterForm(ChildOrDueDateMixin, TargetGroupsMixin):
    carer_first_name = forms.CharField(
        max_length=100, error_messages={"required": "Enter the parent or carer's first name"}
    )
    carer_last_name = forms.CharField(
        max_length=100, error_messages={"required": "Enter the parent or carer's last name"}
    )
    relationship = forms.CharField(max_length=50, required=False)
    phone = forms.CharField(max_length=30, required=False)
    email = forms.EmailField(
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    address = forms.CharField(required=False, widget=forms.Textarea)
    postcode = PostcodeField()
    child_first_name = forms.CharField(max_length=100, required=False)
    child_date_of_birth = DateField(label_text="Child's date of birth", past_only=True)
    expected_due_date = DateField(label_text="Due date")
    consent_keep_record = forms.BooleanField(
        required=True,
        error_messages={
            "required": "Confirm you have told the family how we use their information"
        },
    )
    consent_text = forms.BooleanField(required=False)
    consent_email = forms.BooleanField(required=False)
    consent_method = forms.ChoiceField(choices=ConsentMethod.choices, initial=ConsentMethod.VERBAL)
    confirmed_not_duplicate = forms.BooleanField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.require_birth_or_due_date(data)
        if data.get("child_date_of_birth") and not data.get("child_first_name"):
            self.add_error("child_first_name", "Enter the child's first name")
        return data

    def carer(self) -> CarerDetails:
        data = self.cleaned_data
        return CarerDetails(
            first_name=data["carer_first_name"],
            last_name=data["carer_last_name"],
            relationship=data["relationship"],
            phone=data["phone"],
            email=data["email"],
        )


class FamilyUpdateForm(TargetGroupsMixin):
    address = forms.CharField(required=False, widget=forms.Textarea)
    postcode = PostcodeField()


class ChildForm(forms.Form):
    first_name = forms.CharField(max_length=100, required=False)
    last_name = forms.CharField(max_length=100, required=False)
    date_of_birth = DateField(label_text="Date of birth", past_only=True)
    expected_due_date = DateField(label_text="Due date")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("date_of_birth") and not data.get("expected_due_date") and not self.errors:
            self.add_error("date_of_birth", "Enter the date of birth or the due date")
        return data

    def details(self) -> ChildDetails:
        data = self.cleaned_data
        return ChildDetails(
            first_name=data["first_name"],
            last_name=data["last_name"],
            date_of_birth=data["date_of_birth"],
            expected_due_date=None if data["date_of_birth"] else data["expected_due_date"],
        )


class CarerForm(forms.Form):
    first_name = forms.CharField(
        max_length=100, error_messages={"required": "Enter the first name"}
    )
    last_name = forms.CharField(max_length=100, required=False)
    relationship = forms.CharField(max_length=50, required=False)
    phone = forms.CharField(max_length=30, required=False)
    email = forms.EmailField(
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )

    def details(self) -> CarerDetails:
        return CarerDetails(**self.cleaned_data)


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(
        choices=ConsentPurpose.choices,
        error_messages={"required": "Choose what the consent is for"},
    )
    lawful_basis = forms.ChoiceField(
        choices=LawfulBasis.choices, error_messages={"required": "Choose the lawful basis"}
    )
    given_by = forms.CharField(
        max_length=200, error_messages={"required": "Enter the name of the person giving consent"}
    )
    method = forms.ChoiceField(
        choices=ConsentMethod.choices, error_messages={"required": "Choose how consent was given"}
    )


class WithdrawConsentForm(forms.Form):
    note = forms.CharField(required=False, widget=forms.Textarea)


class CaseForm(forms.Form):
    next_action = forms.CharField(max_length=300, required=False)
    next_action_due = DateField(label_text="Next action due")
    close = forms.BooleanField(required=False)


class MergeForm(forms.Form):
    duplicate = forms.IntegerField(
        error_messages={"required": "Choose the record to merge into this one"}
    )


class EraseForm(forms.Form):
    reason = forms.CharField(
        error_messages={"required": "Enter why the record is being erased"}, widget=forms.Textarea
    )
    confirm = forms.BooleanField(
        error_messages={"required": "Confirm that the personal data should be erased"}
    )
