"""Family records, under /staff/ (so these are /staff/families/...)."""

from django.urls import URLPattern, path

from familyreach.families import views

app_name = "families"

urlpatterns: list[URLPattern] = [
    path("families/", views.family_list, name="list"),
    path("families/register", views.family_register, name="register"),
    path("families/caseload", views.caseload, name="caseload"),
    path("families/requests/", views.support_requests, name="requests"),
    path("families/requests/<uuid:request_id>", views.support_request_detail, name="request"),
    path("families/<int:family_id>", views.family_detail, name="detail"),
    path("families/<int:family_id>/edit", views.family_edit, name="edit"),
    path("families/<int:family_id>/children/new", views.child_add, name="child-add"),
    path("families/<int:family_id>/carers/new", views.carer_add, name="carer-add"),
    path("families/<int:family_id>/consents/new", views.consent_add, name="consent-add"),
    path(
        "families/<int:family_id>/consents/<int:consent_id>/withdraw",
        views.consent_withdraw,
        name="consent-withdraw",
    ),
    path("families/<int:family_id>/caseload", views.case_take_on, name="case-take-on"),
    path("families/<int:family_id>/cases/<int:case_id>", views.case_edit, name="case-edit"),
    path("families/<int:family_id>/merge", views.family_merge, name="merge"),
    path(
        "families/<int:family_id>/not-a-duplicate",
        views.duplicate_dismiss,
        name="duplicate-dismiss",
    ),
    path("families/<int:family_id>/export", views.family_export, name="export"),
    path("families/<int:family_id>/export.json", views.family_export_json, name="export-json"),
    path("families/<int:family_id>/erase", views.family_erase, name="erase"),
]
