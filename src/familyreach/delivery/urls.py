"""Delivery pages: staff pages under /staff/ and the public booking pages under /book/."""

from django.urls import URLPattern, path

from familyreach.delivery import views

app_name = "delivery"

OCCURRENCE = "staff/sessions/<int:session_id>/occurrences/<str:day>"

urlpatterns: list[URLPattern] = [
    path("staff/sessions/", views.session_list, name="sessions"),
    path("staff/sessions/new", views.session_new, name="session-new"),
    path("staff/sessions/<int:session_id>", views.session_detail, name="session"),
    path("staff/sessions/<int:session_id>/edit", views.session_edit, name="session-edit"),
    path(
        "staff/sessions/<int:session_id>/exceptions",
        views.session_exception_add,
        name="session-exception-add",
    ),
    path(OCCURRENCE, views.occurrence_detail, name="occurrence"),
    path(f"{OCCURRENCE}/cancel", views.occurrence_cancel, name="occurrence-cancel"),
    path(f"{OCCURRENCE}/helpers", views.occurrence_helpers, name="helpers"),
    path(f"{OCCURRENCE}/register", views.register, name="register"),
    path(f"{OCCURRENCE}/register/walk-in", views.walk_in, name="walk-in"),
    path(f"{OCCURRENCE}/register/close", views.register_close, name="register-close"),
    path(f"{OCCURRENCE}/register/reopen", views.register_reopen, name="register-reopen"),
    path(f"{OCCURRENCE}/register/print", views.register_print, name="register-print"),
    path(f"{OCCURRENCE}/register/sign-in-sheet.csv", views.register_csv, name="register-csv"),
    path("staff/bookings/<int:booking_id>/cancel", views.booking_cancel, name="booking-cancel"),
    path("staff/families/<int:family_id>/book", views.family_book, name="family-book"),
    path("staff/families/<int:family_id>/visits/new", views.visit_new, name="visit-new"),
    path("staff/visits/<int:visit_id>", views.visit_detail, name="visit"),
    path("staff/bases/", views.base_list, name="bases"),
    path("staff/school-holidays/", views.school_holidays, name="school-holidays"),
    path(
        "staff/school-holidays/<int:holiday_id>/remove",
        views.school_holiday_remove,
        name="school-holiday-remove",
    ),
    path("book/", views.book_list, name="book-list"),
    path("book/<int:occurrence_id>", views.book, name="book"),
    path("book/<int:occurrence_id>/check", views.book_check, name="book-check"),
    path("book/<int:occurrence_id>/booked", views.booked, name="booked"),
    path("book/confirm/<str:token>", views.book_confirm, name="book-confirm"),
    path("book/cancel/<str:token>", views.book_cancel, name="book-cancel"),
    path("book/calendar/<str:token>.ics", views.book_calendar, name="book-calendar"),
]
