from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "ginnel.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Every capability registers its kinds in its own ready(); nothing to do here but
        # load the channels the deployment configures.
        from ginnel.notifications import channels  # noqa: F401
