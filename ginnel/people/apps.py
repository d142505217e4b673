from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "ginnel.people"
    label = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        from ginnel.communities.waiting import on_waiting
        from ginnel.people.waiting import people_waiting

        # Steps of a person's goals that are due, on their home page.
        on_waiting(people_waiting)

        # What goals tell people: steps that have come due (notifications.py).
        from ginnel.people.notifications import register_kinds

        register_kinds()
