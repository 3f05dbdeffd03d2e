"""Family plans, under /staff/ (so these are /staff/families/<id>/plan...), and the outcome
scales (/staff/outcome-scales/)."""

from django.urls import URLPattern, path

from familyreach.outcomes import views

app_name = "outcomes"

urlpatterns: list[URLPattern] = [
    path("families/<int:family_id>/plan", views.plan, name="plan"),
    path("families/<int:family_id>/plan/new", views.plan_start, name="plan-start"),
    path("families/<int:family_id>/plan/actions/new", views.action_add, name="action-add"),
    path(
        "families/<int:family_id>/plan/actions/<int:action_id>/done",
        views.action_done,
        name="action-done",
    ),
    path("families/<int:family_id>/plan/reviews/new", views.review_add, name="review-add"),
    # The outcome scales plans are scored on: service managers configure them.
    path("outcome-scales/", views.scales, name="scales"),
    path("outcome-scales/new", views.scale_new, name="scale-new"),
    path("outcome-scales/<int:goal_id>/edit", views.scale_edit, name="scale-edit"),
    path("outcome-scales/<int:goal_id>/retire", views.scale_retire, name="scale-retire"),
    path("outcome-scales/<int:goal_id>/reinstate", views.scale_reinstate, name="scale-reinstate"),
]
