from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "ginnel.people"
    label = "people"
    verbose_name = "People"
