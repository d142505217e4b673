from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "ginnel.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Every capability registers its kinds in its own ready(); nothing to do here but
        # load the channels the deployment configures.
        from ginnel.communities.waiting import on_waiting
        from ginnel.notifications import channels  # noqa: F401
        from ginnel.notifications.waiting import notifications_waiting

        on_waiting(notifications_waiting)  # "N new notifications" on the home page

        # The job queue: with GINNEL_BROKER_URL, deliveries go to its worker after commit.
        from ginnel.notifications.tasks import install_sender

        install_sender()

        # Applications to join: coordinators hear of them, the applicant of the decision.
        from ginnel.notifications.membership import connect

        connect()
