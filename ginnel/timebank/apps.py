from django.apps import AppConfig


class TimebankConfig(AppConfig):
    name = "ginnel.timebank"
    label = "timebank"
    verbose_name = "Timebank"
