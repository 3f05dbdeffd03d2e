from django.urls import URLPattern, URLResolver, path

from familyreach.directory import api

app_name = "directory"

openreferral = [
    path("openreferral/", api.ApiRootView.as_view(), name="oruk-root"),
    path("openreferral/openapi.json", api.OpenApiView.as_view(), name="oruk-openapi"),
    path("openreferral/services", api.ServiceListView.as_view(), name="oruk-services"),
    path(
        "openreferral/services/<str:service_id>",
        api.ServiceDetailView.as_view(),
        name="oruk-service",
    ),
    path(
        "openreferral/service_at_locations",
        api.ServiceAtLocationListView.as_view(),
        name="oruk-service-at-locations",
    ),
    path(
        "openreferral/service_at_locations/<str:item_id>",
        api.ServiceAtLocationDetailView.as_view(),
        name="oruk-service-at-location",
    ),
    path("openreferral/taxonomies", api.TaxonomyListView.as_view(), name="oruk-taxonomies"),
    path(
        "openreferral/taxonomies/<str:item_id>",
        api.TaxonomyDetailView.as_view(),
        name="oruk-taxonomy",
    ),
    path(
        "openreferral/taxonomy_terms",
        api.TaxonomyTermListView.as_view(),
        name="oruk-taxonomy-terms",
    ),
    path(
        "openreferral/taxonomy_terms/<str:item_id>",
        api.TaxonomyTermDetailView.as_view(),
        name="oruk-taxonomy-term",
    ),
    path(
        "openreferral/organizations",
        api.OrganizationListView.as_view(),
        name="oruk-organizations",
    ),
    path(
        "openreferral/organizations/<str:item_id>",
        api.OrganizationDetailView.as_view(),
        name="oruk-organization",
    ),
]

urlpatterns: list[URLPattern | URLResolver] = [*openreferral]
