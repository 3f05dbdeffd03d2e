from django.urls import URLPattern

app_name = "community"

urlpatterns: list[URLPattern] = []
