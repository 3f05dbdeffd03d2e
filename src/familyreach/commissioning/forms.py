from typing import Any

from django import forms

from familyreach.families.forms import DateField


class DraftForm(forms.Form):
    quarter_end = DateField(label_text="Last day of the quarter", required=True, past_only=True)


class ReturnForm(forms.Form):
    """The provider's words; `explanation_<code>` per measure is added for each measure."""

    narrative = forms.CharField(max_length=20000, required=False)
    case_studies = forms.CharField(max_length=20000, required=False)
    case_studies_consented = forms.BooleanField(required=False)

    def __init__(self, *args: Any, measures: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.measure_list = measures
        for measure in measures:
            self.fields[f"explanation_{measure.code}"] = forms.CharField(
                max_length=4000, required=False
            )

    def explanations(self) -> dict[str, str]:
        return {m.code: self.cleaned_data[f"explanation_{m.code}"] for m in self.measure_list}


class MeasureReviewForm(forms.Form):
    measure = forms.IntegerField(min_value=1, max_value=2_147_483_647)
    decision = forms.ChoiceField(
        choices=[("agreed", "Agree"), ("queried", "Query")],
        error_messages={"required": "Agree or query the measure"},
    )
    comment = forms.CharField(max_length=4000, required=False)
