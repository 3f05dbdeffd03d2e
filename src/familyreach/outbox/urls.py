from django.urls import path

from familyreach.outbox import views

app_name = "outbox"

urlpatterns = [
    path("", views.message_list, name="list"),
    path("<int:message_id>/try-again", views.message_retry, name="retry"),
]
