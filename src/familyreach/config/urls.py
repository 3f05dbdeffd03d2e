"""The service's URL map. Each domain owns its URLs in its own `urls.py`.

Public pages sit at the root; staff pages under /staff/; the Open Referral UK API under
/openreferral/. Domains that are not installed yet are simply absent.
"""

from django.apps import apps
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

handler400 = "familyreach.web.views.bad_request"
handler403 = "familyreach.web.views.permission_denied"
handler404 = "familyreach.web.views.page_not_found"
handler500 = "familyreach.web.views.server_error"

urlpatterns: list[URLPattern | URLResolver] = [
    path("staff/", include("familyreach.accounts.urls")),
    path("staff/django-admin/", admin.site.urls),
    path("", include("familyreach.web.urls")),
    path("staff/operations/", include("familyreach.operations.urls")),
]

# (app label, URL prefix, URL module). Order matters only where prefixes overlap.
DOMAIN_URLS = (
    ("geo", "staff/", "familyreach.geo.urls"),
    ("planning", "staff/planning/", "familyreach.planning.urls"),
    ("directory", "", "familyreach.directory.urls"),
    ("families", "staff/", "familyreach.families.urls"),
    ("delivery", "", "familyreach.delivery.urls"),
    ("community", "", "familyreach.community.urls"),
    ("insight", "staff/insight/", "familyreach.insight.urls"),
    ("consult", "", "familyreach.consult.urls"),
    ("outbox", "staff/messages/", "familyreach.outbox.urls"),
    ("referrals", "staff/referrals/", "familyreach.referrals.urls"),
    ("outcomes", "staff/", "familyreach.outcomes.urls"),
    ("commissioning", "staff/commissioning/", "familyreach.commissioning.urls"),
)
for label, prefix, module in DOMAIN_URLS:
    if apps.is_installed(f"familyreach.{label}"):
        urlpatterns.append(path(prefix, include(module)))
