from django.apps import AppConfig


class UiConfig(AppConfig):
    """The design system every app's views may use; it imports no app of Ginnel's."""

    name = "ginnel.ui"
    label = "ui"
    verbose_name = "Design system"
