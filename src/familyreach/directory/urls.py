from django.urls import URLPattern, URLResolver, path, re_path

from familyreach.core.public_cache import public_page as kept
from familyreach.directory import api, views

# kept(...): /find and the API's data; anonymous GETs are answered from the cache for a minute
# (core/public_cache.py says what makes that safe).

app_name = "directory"

# Every ORUK path is served with or without a trailing slash (clients differ; a redirect
# would cost a cross-origin client a second request).
openreferral = [
    re_path(r"^openreferral/?$", api.ApiRootView.as_view(), name="oruk-root"),
    path("openreferral/openapi.json", api.OpenApiView.as_view(), name="oruk-openapi"),
    re_path(
        r"^openreferral/services/?$", kept(api.ServiceListView.as_view()), name="oruk-services"
    ),
    re_path(
        r"^openreferral/services/(?P<service_id>[^/]+)/?$",
        kept(api.ServiceDetailView.as_view()),
        name="oruk-service",
    ),
    re_path(
        r"^openreferral/service_at_locations/?$",
        kept(api.ServiceAtLocationListView.as_view()),
        name="oruk-service-at-locations",
    ),
    re_path(
        r"^openreferral/service_at_locations/(?P<item_id>[^/]+)/?$",
        kept(api.ServiceAtLocationDetailView.as_view()),
        name="oruk-service-at-location",
    ),
    re_path(
        r"^openreferral/taxonomies/?$", kept(api.TaxonomyListView.as_view()), name="oruk-taxonomies"
    ),
    re_path(
        r"^openreferral/taxonomies/(?P<item_id>[^/]+)/?$",
        kept(api.TaxonomyDetailView.as_view()),
        name="oruk-taxonomy",
    ),
    re_path(
        r"^openreferral/taxonomy_terms/?$",
        kept(api.TaxonomyTermListView.as_view()),
        name="oruk-taxonomy-terms",
    ),
    re_path(
        r"^openreferral/taxonomy_terms/(?P<item_id>[^/]+)/?$",
        kept(api.TaxonomyTermDetailView.as_view()),
        name="oruk-taxonomy-term",
    ),
    re_path(
        r"^openreferral/organizations/?$",
        kept(api.OrganizationListView.as_view()),
        name="oruk-organizations",
    ),
    re_path(
        r"^openreferral/organizations/(?P<item_id>[^/]+)/?$",
        kept(api.OrganizationDetailView.as_view()),
        name="oruk-organization",
    ),
]

pages = [
    path("find", kept(views.find), name="find"),
    path("services/<uuid:service_id>", views.service_detail, name="service"),
    path("advice", views.advice_list, name="advice"),
    path("advice/<slug:slug>", views.advice_detail, name="advice-article"),
    path("request-support", views.request_support, name="request-support"),
    path("request-support/sent", views.request_support_sent, name="request-support-sent"),
]

staff = [
    path("staff/requests/", views.staff_requests, name="staff-requests"),
    path("staff/requests/<uuid:request_id>", views.staff_request_detail, name="staff-request"),
    path("staff/directory/", views.staff_listings, name="staff-listings"),
    path("staff/directory/quality", views.staff_listing_quality, name="staff-listing-quality"),
    path("staff/directory/services/new", views.staff_service_edit, name="staff-service-new"),
    path(
        "staff/directory/services/<uuid:service_id>/edit",
        views.staff_service_edit,
        name="staff-service-edit",
    ),
    path(
        "staff/directory/services/<uuid:service_id>/assure",
        views.staff_service_assure,
        name="staff-service-assure",
    ),
    path("staff/directory/changes/", views.staff_changes, name="staff-changes"),
    path(
        "staff/directory/changes/<uuid:change_id>",
        views.staff_change_decide,
        name="staff-change-decide",
    ),
    path("staff/directory/advice/", views.staff_advice, name="staff-advice"),
    path("staff/directory/advice/new", views.staff_advice_edit, name="staff-advice-new"),
    path(
        "staff/directory/advice/<uuid:article_id>/edit",
        views.staff_advice_edit,
        name="staff-advice-edit",
    ),
]

urlpatterns: list[URLPattern | URLResolver] = [*openreferral, *pages, *staff]
