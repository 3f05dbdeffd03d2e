"""Setting up a consultation (its text, dates, options and questions) in Django's admin.

Responses are deliberately not editable here: they change only through the services (paper
entry, moderation, coding), which validate and audit each change.
"""

from django.contrib import admin

from familyreach.consult.models import Consultation, ConsultationOption, Question


class OptionInline(admin.StackedInline):
    model = ConsultationOption
    extra = 0
    fields = ("position", "title", "summary", "text", "scenario")


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = ("position", "section", "kind", "text", "hint", "required", "choices", "option")


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ("title", "status", "opens_at", "closes_at", "is_simulated")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("decided_at",)
    inlines = (OptionInline, QuestionInline)
