from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class TimebankConfig(AppConfig):
    name = "ginnel.timebank"
    label = "timebank"
    verbose_name = gettext_lazy("Timebank")

    def ready(self) -> None:
        from ginnel.communities.setup import on_community_created
        from ginnel.timebank.services import categories_seed

        # A new community starts with the default skill taxonomy its members pick from.
        on_community_created(categories_seed)

        from ginnel.communities.setup import on_member_left
        from ginnel.timebank.leaving import member_left_close

        # A member who leaves keeps their account (closed, balance unchanged); their
        # offers and requests close.
        on_member_left(member_left_close)

        from ginnel.communities.waiting import on_waiting
        from ginnel.timebank.waiting import timebank_waiting

        # The balance, hours to confirm and proposals to answer, on the home page.
        on_waiting(timebank_waiting)

        from ginnel.timebank.notifications import register_kinds

        # What the timebank tells people: proposals, hours to confirm, thanks, endings.
        register_kinds()
