from django.urls import path

from familyreach.accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in", views.SignInView.as_view(), name="login"),
    path("sign-out", views.SignOutView.as_view(), name="logout"),
    path("signed-out", views.signed_out, name="signed-out"),
    path("two-factor", views.two_factor, name="two-factor"),
]
