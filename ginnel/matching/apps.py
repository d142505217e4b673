from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "ginnel.matching"
    label = "matching"
    verbose_name = "Matching"
