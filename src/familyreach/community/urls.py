"""Public pages for community groups at the root; staff pages under /staff/community/."""

from django.urls import path

from familyreach.community import views

app_name = "community"

STAFF = "staff/community/"

urlpatterns = [
    path("community-groups/register", views.group_register, name="group-register"),
    path("community-groups/register/done", views.group_registered, name="group-registered"),
    path(STAFF, views.home, name="home"),
    path(f"{STAFF}volunteers/", views.volunteer_list, name="volunteers"),
    path(f"{STAFF}volunteers/new", views.volunteer_new, name="volunteer-new"),
    path(f"{STAFF}volunteers/<int:supporter_id>/", views.volunteer_detail, name="volunteer"),
    path(f"{STAFF}expiries/", views.expiry_list, name="expiries"),
    path(f"{STAFF}requests/", views.request_list, name="requests"),
    path(f"{STAFF}requests/new", views.request_new, name="request-new"),
    path(f"{STAFF}requests/<int:request_id>/", views.request_detail, name="request"),
    path(
        f"{STAFF}families/<int:family_id>/peer-support",
        views.request_refer_family,
        name="refer-family",
    ),
    path(f"{STAFF}matches/", views.match_list, name="matches"),
    path(f"{STAFF}matches/<int:match_id>/", views.match_detail, name="match"),
    path(f"{STAFF}my-matches/", views.my_matches, name="my-matches"),
    path(f"{STAFF}concerns/", views.concern_list, name="concerns"),
    path(f"{STAFF}concerns/raise", views.concern_raise, name="concern-raise"),
    path(f"{STAFF}concerns/<int:concern_id>/", views.concern_detail, name="concern"),
    path(f"{STAFF}groups/", views.group_list, name="groups"),
    path(f"{STAFF}groups/<int:group_id>/", views.group_detail, name="group"),
    path(f"{STAFF}help/<int:help_id>/decide", views.help_decide, name="help-decide"),
    path(f"{STAFF}rooms/", views.room_list, name="rooms"),
    path(f"{STAFF}rooms/<int:room_id>/", views.room_detail, name="room"),
    path(f"{STAFF}bookings/<int:booking_id>/decide", views.booking_decide, name="booking-decide"),
    path(f"{STAFF}bookings/<int:booking_id>/use", views.booking_use, name="booking-use"),
]
