"""Referrals, under /staff/referrals/."""

from django.urls import URLPattern, path

from familyreach.referrals import views

app_name = "referrals"

urlpatterns: list[URLPattern] = [
    path("", views.referral_inbox, name="inbox"),
    path("sent", views.referral_sent, name="sent"),
    path("new/<uuid:service_id>", views.referral_new, name="new"),
    path("<uuid:referral_id>", views.referral_detail, name="detail"),
]
