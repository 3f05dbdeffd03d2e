from django import forms
from django.contrib import admin

from familyreach.commissioning import measures
from familyreach.commissioning.models import Contract, ContractMeasure


class ContractMeasureForm(forms.ModelForm[ContractMeasure]):
    code = forms.ChoiceField(choices=measures.CHOICES)

    class Meta:
        model = ContractMeasure
        fields = ("code", "target", "tolerance", "position")


class ContractMeasureInline(admin.TabularInline[ContractMeasure, Contract]):
    model = ContractMeasure
    form = ContractMeasureForm
    extra = 1


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin[Contract]):
    """Where the council records a contract and the measures it is held to (targets as
    fractions for shares, 0.6 = 60 %; pounds for money)."""

    list_display = ("name", "provider", "starts_on", "ends_on", "annual_value")
    filter_horizontal = ("districts", "provider_managers")
    inlines = [ContractMeasureInline]
