from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "ginnel.demo"
    label = "demo"
    verbose_name = "Demo community"
