"""Family plan pages under /staff/families/<id>/plan. Thin: the plan is reached through its
family (authorised and audited by the selectors), changes go through one service each."""

import re
from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from familyreach.families.selectors import case_get_for_user, family_for_change
from familyreach.outcomes import forms, selectors, services
from familyreach.outcomes.models import ReviewStage


def _plan_url(family_id: int) -> str:
    return reverse("outcomes:plan", args=[family_id])


@login_required
def plan(request: HttpRequest, family_id: int) -> HttpResponse:
    plans = selectors.plans_for_family(user=request.user, family_id=family_id)
    current = plans.current
    return render(
        request,
        "outcomes/plan.html",
        {
            "family": plans.family,
            "plan": current,
            "earlier": plans.earlier,
            "progress": selectors.plan_progress(current) if current else [],
            "has_start": bool(
                current and any(r.stage == ReviewStage.START for r in current.reviews.all())
            ),
            "can_change": rules.test_rule("families.change_family", request.user, plans.family),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_start(request: HttpRequest, family_id: int) -> HttpResponse:
    family = family_for_change(user=request.user, family_id=family_id)
    goals = selectors.goals_active()
    form = forms.PlanStartForm(request.POST or None, goals=goals)
    if request.method == "POST" and form.is_valid():
        user: Any = request.user
        case = next(
            (c for c in family.cases.all() if c.worker_id == user.pk and c.closed_on is None),
            None,
        )
        try:
            services.plan_start(
                user=user,
                family=family,
                family_words=form.cleaned_data["family_words"],
                strengths=form.cleaned_data["strengths"],
                goals=form.chosen_goals(),
                case=case,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Plan started: now record where the family is today")
            return HttpResponseRedirect(
                reverse("outcomes:review-add", args=[family.pk]) + "?stage=start"
            )
    return render(
        request, "outcomes/plan_start.html", {"form": form, "family": family, "goals": goals}
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_add(request: HttpRequest, family_id: int) -> HttpResponse:
    current = selectors.open_plan_for_change(user=request.user, family_id=family_id)
    form = forms.ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.plan_action_add(
            user=request.user,
            plan=current,
            description=form.cleaned_data["description"],
            owner=form.cleaned_data["owner"],
            due_on=form.cleaned_data["due_on"],
        )
        messages.success(request, "Action added to the plan")
        return HttpResponseRedirect(_plan_url(family_id))
    return render(request, "outcomes/action_form.html", {"form": form, "family": current.family})


@login_required
@require_POST
def action_done(request: HttpRequest, family_id: int, action_id: int) -> HttpResponse:
    current = selectors.open_plan_for_change(user=request.user, family_id=family_id)
    action = next((a for a in current.actions.all() if a.pk == action_id), None)
    if action is None:
        raise Http404("No such action on this family's plan.")
    services.plan_action_complete(user=request.user, action=action)
    messages.success(request, "Action marked as done")
    return HttpResponseRedirect(_plan_url(family_id))


@login_required
@require_http_methods(["GET", "POST"])
def review_add(request: HttpRequest, family_id: int) -> HttpResponse:
    current = selectors.open_plan_for_change(user=request.user, family_id=family_id)
    stage = request.GET.get("stage", ReviewStage.REVIEW)
    if stage not in ReviewStage.values:
        raise Http404("No such kind of review.")
    goals = list(current.goals.all())
    form = forms.ReviewForm(
        request.POST or None,
        goals=goals,
        stage=stage,
        initial={"held_on": timezone.localdate()},
    )
    closing_case = None
    case_id = request.GET.get("case", "")
    # ASCII digits of a sensible length only ("²" is a digit to str.isdigit, not to int()).
    if stage == ReviewStage.CLOSURE and re.fullmatch(r"[0-9]{1,9}", case_id):
        closing_case = case_get_for_user(user=request.user, case_id=int(case_id))
        if closing_case.family_id != family_id:
            raise PermissionDenied("That case belongs to another family.")
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_review_record(
                user=request.user,
                plan=current,
                stage=stage,
                held_on=form.cleaned_data["held_on"],
                scores=form.scores(),
                family_view=form.cleaned_data["family_view"],
                worker_view=form.cleaned_data["worker_view"],
                closing_case=closing_case,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                (
                    "Outcome recorded, plan and case closed"
                    if closing_case
                    else "Outcome recorded and plan closed"
                )
                if stage == ReviewStage.CLOSURE
                else "Scores recorded",
            )
            if closing_case is not None:
                return HttpResponseRedirect(reverse("families:detail", args=[family_id]))
            return HttpResponseRedirect(_plan_url(family_id))
    latest = selectors.plan_progress(current)
    return render(
        request,
        "outcomes/review_form.html",
        {
            "form": form,
            "family": current.family,
            "plan": current,
            "stage": ReviewStage(stage),
            "closing_case": closing_case,
            "score_fields": [(goal, form[f"score_{goal.pk}"]) for goal in goals],
            "latest": {item.goal.pk: item.latest for item in latest},
        },
    )


# --- The outcome scales (service managers) ----------------------------------------------------

SCALE_FIELDS = (
    "title",
    "description",
    "framework",
    "scale_min",
    "scale_max",
    "low_label",
    "high_label",
)


def _scales_url() -> str:
    return reverse("outcomes:scales")


@login_required
def scales(request: HttpRequest) -> HttpResponse:
    goals = list(selectors.goals_for_management(user=request.user))
    return render(
        request,
        "outcomes/scales.html",
        {
            "active": [goal for goal in goals if goal.active],
            "retired": [goal for goal in goals if not goal.active],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def scale_new(request: HttpRequest) -> HttpResponse:
    selectors.goals_check_manage(user=request.user)
    form = forms.GoalForm(
        request.POST or None,
        initial={
            "scale_min": 1,
            "scale_max": 10,
            "low_label": "Not at all where we want to be",
            "high_label": "Exactly where we want to be",
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            goal = services.goal_create(user=request.user, fields=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"“{goal.title}” added: workers can choose it for new plans.")
            return HttpResponseRedirect(_scales_url())
    return render(request, "outcomes/scale_form.html", {"form": form, "goal": None})


@login_required
@require_http_methods(["GET", "POST"])
def scale_edit(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = selectors.goal_get_for_management(user=request.user, goal_id=goal_id)
    in_use = bool(goal.plan_count) or services.goal_in_use(goal)  # type: ignore[attr-defined]
    form = forms.GoalForm(
        request.POST or None,
        scale_fixed=in_use,
        initial={name: getattr(goal, name) for name in SCALE_FIELDS},
    )
    if request.method == "POST" and form.is_valid():
        fields = {
            name: value
            for name, value in form.cleaned_data.items()
            if not (in_use and name in services.GOAL_SCALE_FIELDS)
        }
        try:
            services.goal_update(user=request.user, goal=goal, fields=fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"“{fields['title']}” saved.")
            return HttpResponseRedirect(_scales_url())
    return render(
        request, "outcomes/scale_form.html", {"form": form, "goal": goal, "in_use": in_use}
    )


@login_required
@require_POST
def scale_retire(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = selectors.goal_get_for_management(user=request.user, goal_id=goal_id)
    services.goal_retire(user=request.user, goal=goal)
    messages.success(
        request,
        f"“{goal.title}” retired: it is no longer offered for new plans. Plans that have it keep it.",
    )
    return HttpResponseRedirect(_scales_url())


@login_required
@require_POST
def scale_reinstate(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = selectors.goal_get_for_management(user=request.user, goal_id=goal_id)
    services.goal_reinstate(user=request.user, goal=goal)
    messages.success(request, f"“{goal.title}” is offered for new plans again.")
    return HttpResponseRedirect(_scales_url())
