from django.urls import URLPattern

app_name = "commissioning"
urlpatterns: list[URLPattern] = []
