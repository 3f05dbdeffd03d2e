from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "familyreach.web"
    label = "web"
    verbose_name = "Pages, layout and static assets"
