from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "ginnel.communities"
    label = "communities"
    verbose_name = "Communities"
