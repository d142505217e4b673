from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "ginnel.matching"
    label = "matching"
    verbose_name = "Matching"

    def ready(self) -> None:
        from ginnel.communities.waiting import on_waiting
        from ginnel.matching.waiting import matching_waiting

        # Introductions being arranged or waiting to be made, on the home page.
        on_waiting(matching_waiting)

        # What introductions tell people (notify_kinds.py).
        from ginnel.matching.notify_kinds import register_kinds

        register_kinds()

        # Blocking holds in notifications too: never told of a blocked person's doings.
        from ginnel.matching.notifications import register

        register()
