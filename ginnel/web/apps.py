from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ginnel.web"
    label = "web"
    verbose_name = "Web"
