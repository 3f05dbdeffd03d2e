"""The referral form (one page, GOV.UK error summary) and the answer to a referral. The
questions follow DfE's Connect: permission to share, the family's contact details and how they
want to be contacted, why they need support, and how best to engage with them."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from familyreach.core.input import uk_phone
from familyreach.directory.models import Organization
from familyreach.referrals.models import ContactMethod

YES_NO = (("yes", "Yes"), ("no", "No"))
TEXT_LIMIT = 1000


class ReferralForm(forms.Form):
    error_anchor = "family_consent"

    family_consent = forms.ChoiceField(
        label="Do you have the family's permission to share their details with this service?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if you have the family's permission"},
    )
    referrer_organization = forms.ChoiceField(
        label="Which organisation are you referring from?", required=False
    )
    family_record = forms.IntegerField(
        label="Family record number (optional)",
        required=False,
        min_value=1,
        error_messages={"invalid": "Enter a family record number, like 1234"},
    )
    name = forms.CharField(
        label="Name of the parent or carer to contact",
        max_length=200,
        error_messages={"required": "Enter the name of the parent or carer to contact"},
    )
    contact_method = forms.ChoiceField(
        label="How does the family want to be contacted?",
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the family wants to be contacted"},
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    phone = forms.CharField(label="Phone number", max_length=30, required=False)
    postcode = forms.CharField(label="Postcode (optional)", max_length=8, required=False)
    reason = forms.CharField(
        label="Why does the family need support?",
        max_length=TEXT_LIMIT,
        widget=forms.Textarea,
        error_messages={
            "required": "Enter why the family needs support",
            "max_length": f"Why the family needs support must be {TEXT_LIMIT} characters or fewer",
        },
    )
    engage_with_family = forms.CharField(
        label="How can the service best engage with the family? (optional)",
        max_length=TEXT_LIMIT,
        required=False,
        widget=forms.Textarea,
        error_messages={
            "max_length": f"How to engage with the family must be {TEXT_LIMIT} characters or fewer"
        },
    )
    referrer_phone = forms.CharField(
        label="Your phone number (optional)", max_length=30, required=False
    )

    def __init__(
        self,
        *args: Any,
        organizations: list[Organization],
        may_link_family: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organizations = {str(o.pk): o for o in organizations}
        organization_field = self.fields["referrer_organization"]
        assert isinstance(organization_field, forms.ChoiceField)
        organization_field.choices = [(key, o.name) for key, o in self.organizations.items()]
        # Asked only when there is a choice to make.
        self.asks_organization = len(organizations) > 1
        if not self.asks_organization:
            del self.fields["referrer_organization"]
        if not may_link_family:
            del self.fields["family_record"]

    def clean_phone(self) -> str:
        return uk_phone(self.cleaned_data.get("phone", ""))

    def clean_referrer_phone(self) -> str:
        return uk_phone(self.cleaned_data.get("referrer_phone", ""))

    def clean_family_consent(self) -> bool:
        if self.cleaned_data.get("family_consent") != "yes":
            raise ValidationError(
                "You can only refer a family with their permission: ask them first"
            )
        return True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        method = data.get("contact_method")
        if method == ContactMethod.EMAIL and not data.get("email"):
            self.add_error("email", "Enter the family's email address")
        if method in (ContactMethod.TEXT, ContactMethod.PHONE) and not data.get("phone"):
            self.add_error("phone", "Enter the family's phone number")
        return data

    def referrer_organization_value(self) -> Organization | None:
        if self.asks_organization:
            return self.organizations.get(self.cleaned_data.get("referrer_organization", ""))
        return next(iter(self.organizations.values()), None)


class AnswerForm(forms.Form):
    error_anchor = "decision"

    decision = forms.ChoiceField(
        label="Can your service support this family?",
        choices=(
            ("accept", "Accept: our service will contact the family to offer support"),
            ("decline", "Decline: our service will not offer support"),
        ),
        widget=forms.RadioSelect,
        error_messages={"required": "Select accept or decline"},
    )
    decline_reason = forms.CharField(
        label="Reason for declining",
        max_length=TEXT_LIMIT,
        required=False,
        widget=forms.Textarea,
        error_messages={
            "max_length": f"The reason for declining must be {TEXT_LIMIT} characters or fewer"
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "decline" and not data.get("decline_reason", "").strip():
            self.add_error("decline_reason", "Enter the reason for declining")
        return data
