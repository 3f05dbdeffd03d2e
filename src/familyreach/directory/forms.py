"""Forms for the public pages and staff screens. Messages follow the GOV.UK error style."""

from datetime import time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from familyreach.core.input import uk_phone, whole_number
from familyreach.directory import taxonomy
from familyreach.directory.models import (
    AdviceArticle,
    AdviceTopic,
    ArticleStatus,
    ContactMethod,
    ListingStatus,
    Location,
    Requester,
)

RADIUS_CHOICES = [
    ("1", "1 mile"),
    ("2", "2 miles"),
    ("5", "5 miles"),
    ("10", "10 miles"),
    ("20", "20 miles"),
]
AGE_CHOICES = [
    ("", "Any age"),
    ("pregnancy", "Expecting a baby"),
    ("0", "Under 1"),
    ("1", "1 year old"),
    ("2", "2 years old"),
    ("3", "3 years old"),
    ("4", "4 years old"),
    ("5", "5 or older"),
]
DAY_CHOICES = [
    ("MO", "Monday"),
    ("TU", "Tuesday"),
    ("WE", "Wednesday"),
    ("TH", "Thursday"),
    ("FR", "Friday"),
    ("SA", "Saturday"),
    ("SU", "Sunday"),
]
# Slots by start time: morning before midday, afternoon before 5pm, evening after.
TIME_OF_DAY = {
    "morning": ("Morning (before midday)", time(0), time(12)),
    "afternoon": ("Afternoon (midday to 5pm)", time(12), time(17)),
    "evening": ("Evening (after 5pm)", time(17), time(23, 59, 59)),
}
DELIVERY_CHOICES = [
    (term.code, term.name) for term in taxonomy.TAXONOMIES[taxonomy.DELIVERY_TAXONOMY][2]
]
CATEGORY_CHOICES = [
    (term.code, term.name) for term in taxonomy.TAXONOMIES[taxonomy.CATEGORY_TAXONOMY][2]
]


MAX_PAGE = 1000
PAGE_MESSAGE = f"Page must be a number from 1 to {MAX_PAGE}"
# The fields shown in the filter column (rendered once per combination and cached).
FILTER_FIELDS = (
    "age",
    "category",
    "day",
    "time_of_day",
    "delivery",
    "language",
    "free",
    "family_bases",
    "run_by_local_parents",
)
# The radius searched when none is chosen (the front door's search box sends only a place).
DEFAULT_RADIUS = "5"


class FindForm(forms.Form):
    error_anchor = "postcode"

    postcode = forms.CharField(
        label="Postcode or place",
        max_length=100,
        error_messages={"required": "Enter a postcode or the name of a town or village"},
    )
    radius = forms.TypedChoiceField(
        label="Distance",
        choices=RADIUS_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
        initial=DEFAULT_RADIUS,
    )
    age = forms.ChoiceField(label="Child's age", choices=AGE_CHOICES, required=False)
    category = forms.MultipleChoiceField(
        label="Type of support", choices=CATEGORY_CHOICES, required=False
    )
    day = forms.MultipleChoiceField(label="Day", choices=DAY_CHOICES, required=False)
    time_of_day = forms.MultipleChoiceField(
        label="Time of day",
        choices=[(key, label) for key, (label, _start, _end) in TIME_OF_DAY.items()],
        required=False,
    )
    free = forms.BooleanField(label="Free only", required=False)
    delivery = forms.MultipleChoiceField(
        label="How it is delivered", choices=DELIVERY_CHOICES, required=False
    )
    language = forms.CharField(label="Language", max_length=50, required=False)
    family_bases = forms.BooleanField(label="Only at family bases", required=False)
    run_by_local_parents = forms.BooleanField(
        label="Only groups run by local parents", required=False
    )
    # A number field, not a choice of 1,000: every form copies its fields, and copying a
    # thousand choices cost about a millisecond on every search (profiled).
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE,
        error_messages={
            "invalid": PAGE_MESSAGE,
            "min_value": PAGE_MESSAGE,
            "max_value": PAGE_MESSAGE,
        },
    )

    def __init__(self, *args: Any, languages: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language_choices = [("", "Any language")] + [(name, name) for name in languages or []]


class SupportRequestForm(forms.Form):
    requester = forms.ChoiceField(
        label="Who is asking for help?",
        choices=Requester.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who is asking for help"},
    )
    professional_name = forms.CharField(label="Your name", max_length=200, required=False)
    professional_organisation = forms.CharField(
        label="Your organisation", max_length=200, required=False
    )
    professional_email = forms.EmailField(
        label="Your work email address",
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    name = forms.CharField(
        label="Parent or carer's name",
        max_length=200,
        error_messages={"required": "Enter the parent or carer's name"},
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        error_messages={"required": "Enter a postcode, like NR30 1NE"},
    )
    children_ages = forms.CharField(
        label="Children's ages",
        max_length=100,
        required=False,
        help_text="For example, 2, 4. Leave blank if you are expecting your first baby.",
    )
    expecting_baby = forms.BooleanField(label="We are expecting a baby", required=False)
    help_with = forms.MultipleChoiceField(
        label="What would you like help with?",
        choices=CATEGORY_CHOICES,
        error_messages={"required": "Select at least one thing you would like help with"},
    )
    details = forms.CharField(
        label="Tell us more (optional)", max_length=2000, required=False, widget=forms.Textarea
    )
    contact_method = forms.ChoiceField(
        label="How should we contact you?",
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how we should contact you"},
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    phone = forms.CharField(label="Phone number", max_length=30, required=False)
    best_times = forms.CharField(
        label="Best times to contact (optional)", max_length=200, required=False
    )
    family_consent = forms.BooleanField(
        label="The family agrees that we hold this information and contact them about it",
        error_messages={"required": "Confirm the family agrees that we hold this information"},
    )

    def clean_children_ages(self) -> list[int]:
        raw = self.cleaned_data.get("children_ages", "")
        ages = []
        for part in raw.replace(" and ", ",").split(","):
            part = part.strip()
            if not part:
                continue
            age = whole_number(part)
            if age is None or age > 18:
                raise ValidationError("Enter children's ages as numbers from 0 to 18, like 2, 4")
            ages.append(age)
        return ages

    def clean_phone(self) -> str:
        return uk_phone(self.cleaned_data.get("phone", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("children_ages") and not data.get("expecting_baby"):
            self.add_error(
                "children_ages", "Enter the children's ages, or tick that you are expecting a baby"
            )
        method = data.get("contact_method")
        if method == ContactMethod.EMAIL and not data.get("email"):
            self.add_error("email", "Enter an email address so we can contact you")
        if method in (ContactMethod.TEXT, ContactMethod.PHONE) and not data.get("phone"):
            self.add_error("phone", "Enter a phone number so we can contact you")
        if data.get("requester") == Requester.PROFESSIONAL:
            if not data.get("professional_name"):
                self.add_error("professional_name", "Enter your name")
            if not data.get("professional_email"):
                self.add_error("professional_email", "Enter your work email address")
        return data


class DeclineForm(forms.Form):
    decline_reason = forms.CharField(
        label="Why is the request declined?",
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": "Enter the reason the request is declined"},
    )


class ServiceForm(forms.Form):
    name = forms.CharField(
        max_length=200, error_messages={"required": "Enter the name of the service"}
    )
    description = forms.CharField(widget=forms.Textarea, required=False)
    status = forms.ChoiceField(choices=ListingStatus.choices)
    minimum_age = forms.FloatField(required=False, min_value=0, max_value=25)
    maximum_age = forms.FloatField(required=False, min_value=0, max_value=25)
    for_pregnancy = forms.BooleanField(required=False, label="Open to expectant parents")
    fees_description = forms.CharField(required=False, label="Cost", max_length=500)
    how_to_book = forms.CharField(widget=forms.Textarea, required=False, label="How to book")
    url = forms.URLField(required=False, label="Website")
    email = forms.EmailField(required=False, label="Email address")
    alert = forms.CharField(required=False, max_length=500, label="Alert (for example a closure)")
    categories = forms.MultipleChoiceField(
        choices=CATEGORY_CHOICES, required=False, label="Type of support"
    )
    delivery_methods = forms.MultipleChoiceField(
        choices=DELIVERY_CHOICES, required=False, label="How it is delivered"
    )

    location = forms.ChoiceField(required=False, label="Where")
    cost_amount = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
        label="Price per session (£)",
        error_messages={
            "invalid": "Enter the price as an amount in pounds, like 2.50",
            "min_value": "The price cannot be less than 0",
            "max_decimal_places": "Enter the price in pounds and pence, like 2.50",
        },
    )

    def __init__(self, *args: Any, time_rows: int = 3, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [  # type: ignore[attr-defined]
            ("", "No fixed place (online, by phone or at home)"),
            *(
                (str(pk), name)
                for pk, name in Location.objects.order_by("name").values_list("id", "name")
            ),
        ]
        self.time_rows = list(range(1, time_rows + 1))
        for row in self.time_rows:
            self.fields[f"day_{row}"] = forms.ChoiceField(
                required=False, choices=[("", "Choose a day"), *DAY_CHOICES]
            )
            for edge in ("opens", "closes"):
                self.fields[f"{edge}_{row}"] = forms.TimeField(
                    required=False,
                    input_formats=["%H:%M", "%H.%M"],
                    error_messages={"invalid": "Enter a time like 10:00"},
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("minimum_age"), data.get("maximum_age")
        if low is not None and high is not None and low > high:
            self.add_error(
                "maximum_age", "Maximum age must be the same as or more than the minimum age"
            )
        for row in self.time_rows:
            day, opens, closes = (data.get(f"{name}_{row}") for name in ("day", "opens", "closes"))
            if any(f"{name}_{row}" in self.errors for name in ("day", "opens", "closes")):
                continue
            if (day or opens or closes) and not (day and opens and closes):
                self.add_error(f"day_{row}", "Give the day, the start time and the end time")
            elif day and opens and closes and closes <= opens:
                self.add_error(f"closes_{row}", "The end time must be after the start time")
        return data

    def changes(self) -> dict[str, Any]:
        """What to save or send for approval: plain values (see services.STRUCTURED_FIELDS)."""
        data = dict(self.cleaned_data)
        weekly_times = []
        for row in self.time_rows:
            day, opens, closes = (data.pop(f"{name}_{row}") for name in ("day", "opens", "closes"))
            if day:
                weekly_times.append(
                    {"day": day, "opens_at": f"{opens:%H:%M}", "closes_at": f"{closes:%H:%M}"}
                )
        data["weekly_times"] = weekly_times
        data["location_id"] = data.pop("location") or ""
        cost = data.pop("cost_amount")
        data["cost_amount"] = str(cost) if cost else ""
        return data


class AdviceArticleForm(forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": "Enter a title"})
    slug = forms.SlugField(
        max_length=100,
        help_text="The end of the web address: lower case letters, numbers and hyphens",
        error_messages={
            "required": "Enter the web address",
            "invalid": "Use only lower case letters, numbers and hyphens",
        },
    )
    summary = forms.CharField(max_length=300, error_messages={"required": "Enter a summary"})
    body = forms.CharField(widget=forms.Textarea, error_messages={"required": "Enter the article"})
    topic = forms.ChoiceField(choices=AdviceTopic.choices)
    status = forms.ChoiceField(choices=ArticleStatus.choices)
    review_by = forms.DateField(
        help_text="For example, 31/3/2027",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={
            "required": "Enter a review date",
            "invalid": "Enter a real date, like 31/3/2027",
        },
    )
    related_terms = forms.MultipleChoiceField(
        choices=CATEGORY_CHOICES, required=False, label="Linked services"
    )

    def __init__(self, *args: Any, article: AdviceArticle | None = None, **kwargs: Any) -> None:
        self.article = article
        super().__init__(*args, **kwargs)

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        clash = AdviceArticle.objects.filter(slug=slug)
        if self.article is not None:
            clash = clash.exclude(pk=self.article.pk)
        if clash.exists():
            raise ValidationError("Another article already uses this web address")
        return slug


class RejectChangeForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Say why the change is rejected"},
    )
