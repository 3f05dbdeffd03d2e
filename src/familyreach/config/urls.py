"""The service's URL map. Each domain owns its URLs in its own `urls.py`.

Public pages sit at the root; staff pages under /staff/; the Open Referral UK API under
/openreferral/.
"""

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
    # Order matters only where prefixes overlap.
    path("staff/", include("familyreach.geo.urls")),
    path("staff/planning/", include("familyreach.planning.urls")),
    path("", include("familyreach.directory.urls")),
    path("staff/", include("familyreach.families.urls")),
    path("", include("familyreach.delivery.urls")),
    path("", include("familyreach.community.urls")),
    path("staff/insight/", include("familyreach.insight.urls")),
    # The public annual report and its open data CSV (no sign-in).
    path("", include("familyreach.insight.public_urls")),
    path("", include("familyreach.consult.urls")),
    path("staff/messages/", include("familyreach.outbox.urls")),
    path("staff/referrals/", include("familyreach.referrals.urls")),
    # Outreach without signal: the offline pages, and their JSON API beside them.
    path("staff/", include("familyreach.offline.urls")),
    path("staff/api/offline/", include("familyreach.offline.api_urls")),
    path("staff/", include("familyreach.outcomes.urls")),
    path("staff/commissioning/", include("familyreach.commissioning.urls")),
]
