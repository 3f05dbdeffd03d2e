"""The response form, built from a consultation's questions, and the staff forms."""

import datetime
from typing import Any

from django import forms

from familyreach.consult.equality import EQUALITY_QUESTIONS
from familyreach.consult.geography import InvalidPostcode, postcode_normalise
from familyreach.consult.models import Consultation, Question, QuestionKind
from familyreach.consult.services import ResponseData

FREE_TEXT_LIMIT = 5000


def _error(text: str, question: Question) -> dict[str, str]:
    return {"required": text, "invalid_choice": f"Select one of the answers to: {question.text}"}


class ResponseForm(forms.Form):
    """One field per question (`q<id>`), plus postcode, respondent type, consents, equality.

    For "Save and come back later" the form is built with `for_draft=True`: nothing is
    required, but what is entered must still be valid. A question page of the public journey
    builds it with only its own questions, and the consents or the equality questions only on
    their own pages (`include_consent`, `include_equality`).
    """

    def __init__(
        self,
        *args: Any,
        consultation: Consultation,
        questions: list[Question],
        for_draft: bool = False,
        include_consent: bool = True,
        include_equality: bool = True,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.consultation = consultation
        self.questions = questions
        for question in questions:
            required = question.required and not for_draft
            name = self._name(question)
            if question.kind == QuestionKind.FREE_TEXT:
                self.fields[name] = forms.CharField(
                    required=required,
                    max_length=FREE_TEXT_LIMIT,
                    error_messages={
                        "required": f"Enter your answer to: {question.text}",
                        "max_length": f"Your answer must be {FREE_TEXT_LIMIT:,} characters or fewer",
                    },
                )
            elif question.kind == QuestionKind.MULTIPLE_CHOICE:
                self.fields[name] = forms.MultipleChoiceField(
                    required=required,
                    choices=question.choice_pairs(),
                    error_messages={
                        "required": f"Select at least one answer to: {question.text}",
                        "invalid_choice": f"Select from the answers given to: {question.text}",
                    },
                )
            elif question.kind == QuestionKind.POSTCODE:
                self.fields[name] = forms.CharField(
                    required=required,
                    max_length=20,
                    error_messages={
                        "required": "Enter your postcode",
                        "max_length": "Enter a full UK postcode, like NR30 1NE",
                    },
                )
            else:
                self.fields[name] = forms.ChoiceField(
                    required=required,
                    choices=question.choice_pairs(),
                    error_messages=_error(
                        "Select whether you are responding as a parent or carer, a professional "
                        "or for an organisation"
                        if question.kind == QuestionKind.RESPONDENT_TYPE
                        else f"Select an answer to: {question.text}",
                        question,
                    ),
                )
        if include_consent:
            self.fields["consent_to_publish"] = forms.BooleanField(required=False)
            self.fields["consent_to_quote"] = forms.BooleanField(required=False)
        for key, text, choices in EQUALITY_QUESTIONS if include_equality else ():
            self.fields[f"equality_{key}"] = forms.ChoiceField(
                required=False,
                choices=choices,
                error_messages={"invalid_choice": f"Select an answer to: {text}"},
            )

    @staticmethod
    def _name(question: Question) -> str:
        if question.kind == QuestionKind.POSTCODE:
            return "postcode"
        if question.kind == QuestionKind.RESPONDENT_TYPE:
            return "respondent_type"
        return question.field_name

    def field_name_for(self, question: Question) -> str:
        return self._name(question)

    def clean_postcode(self) -> str:
        value = self.cleaned_data.get("postcode", "")
        if not value:
            return ""
        try:
            return postcode_normalise(value)
        except InvalidPostcode as error:
            raise forms.ValidationError(str(error)) from error

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("consent_to_quote") and not cleaned.get("consent_to_publish"):
            self.add_error(
                "consent_to_quote",
                "You can agree to be quoted only if you also agree to your response being published",
            )
        return cleaned

    def error_summary_items(self) -> list[dict[str, str]]:
        """GOV.UK error summary links: radios and checkboxes link to their first input,
        whose id is the field name (GOV.UK's idPrefix)."""
        items = [{"text": str(error), "href": "#main-content"} for error in self.non_field_errors()]
        for name in self.fields:
            for error in self.errors.get(name, []):
                items.append({"text": str(error), "href": f"#{name}"})
        return items

    def to_response_data(self) -> ResponseData:
        data = self.cleaned_data
        answers: dict[int, str | list[str]] = {}
        for question in self.questions:
            if question.kind in (QuestionKind.POSTCODE, QuestionKind.RESPONDENT_TYPE):
                continue
            value = data.get(question.field_name)
            if value:
                answers[question.pk] = value
        return ResponseData(
            answers=answers,
            respondent_type=data.get("respondent_type") or "",
            postcode=data.get("postcode") or "",
            consent_to_publish=bool(data.get("consent_to_publish")),
            consent_to_quote=bool(data.get("consent_to_quote")),
            equality={
                key: data.get(f"equality_{key}") or "" for key, _text, _c in EQUALITY_QUESTIONS
            },
        )


class ReturnLinkForm(forms.Form):
    """ "Save and come back later": an email address, optional, only to send the link to."""

    email = forms.EmailField(
        required=False,
        max_length=320,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)

    def error_summary_items(self) -> list[dict[str, str]]:
        return [{"text": str(error), "href": "#email"} for error in self.errors.get("email", [])]


class PaperReceivedForm(forms.Form):
    """Staff say when a paper form arrived (GOV.UK date input: day, month, year)."""

    received_on_day = forms.IntegerField(required=False, min_value=1, max_value=31)
    received_on_month = forms.IntegerField(required=False, min_value=1, max_value=12)
    received_on_year = forms.IntegerField(required=False, min_value=2000, max_value=2100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        parts = [cleaned.get(f"received_on_{part}") for part in ("day", "month", "year")]
        if self.errors or any(part is None for part in parts):
            self.errors.clear()
            self.add_error("received_on_day", "Enter the date the paper response was received")
            return cleaned
        day, month, year = (int(part) for part in parts)  # type: ignore[arg-type]
        try:
            cleaned["received_on"] = datetime.date(year, month, day)
        except (ValueError, OverflowError):  # a part wider than a C int overflows
            self.add_error("received_on_day", "The date received must be a real date")
        return cleaned


class CodeForm(forms.Form):
    theme = forms.CharField(max_length=100, error_messages={"required": "Enter a theme"})
    name = forms.CharField(max_length=100, error_messages={"required": "Enter a name for the code"})
    keywords = forms.CharField(max_length=1000, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)


class DecisionForm(forms.Form):
    you_said = forms.CharField(
        max_length=20000, error_messages={"required": "Enter a summary of what people said"}
    )
    decision = forms.CharField(
        max_length=20000, error_messages={"required": "Enter what was decided"}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
