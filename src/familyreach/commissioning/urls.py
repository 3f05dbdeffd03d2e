"""Contracts and quarterly returns, under /staff/commissioning/."""

from django.urls import URLPattern, path

from familyreach.commissioning import views

app_name = "commissioning"

urlpatterns: list[URLPattern] = [
    path("", views.contracts, name="contracts"),
    path("contracts/<int:contract_id>", views.contract, name="contract"),
    path("contracts/<int:contract_id>/returns/new", views.return_draft, name="return-draft"),
    path("returns/<int:return_id>", views.return_detail, name="return"),
    path("returns/<int:return_id>/edit", views.return_edit, name="return-edit"),
    path("returns/<int:return_id>/submit", views.return_submit, name="return-submit"),
    path("returns/<int:return_id>/review", views.measure_review, name="measure-review"),
    path("returns/<int:return_id>/send-back", views.return_send_back, name="return-send-back"),
    path("returns/<int:return_id>/sign-off", views.return_sign_off, name="return-sign-off"),
    path("returns/<int:return_id>/return.csv", views.return_csv, name="return-csv"),
    path("returns/<int:return_id>/return.xlsx", views.return_xlsx, name="return-xlsx"),
    path("returns/<int:return_id>/return.ods", views.return_ods, name="return-ods"),
    path("returns/<int:return_id>/return.pdf", views.return_pdf, name="return-pdf"),
    # A consistent offer (offer.py).
    path("offer", views.offer_page, name="offer"),
    path("offer.csv", views.offer_csv, name="offer-csv"),
]
