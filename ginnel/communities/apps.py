from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "ginnel.communities"
    label = "communities"
    verbose_name = _("Communities")

    def ready(self) -> None:
        from ginnel.communities.waiting import communities_waiting, on_waiting

        # Applications to join, on the home page of those who decide them.
        on_waiting(communities_waiting)
