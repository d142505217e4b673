from django.apps import AppConfig


class TimebankConfig(AppConfig):
    name = "ginnel.timebank"
    label = "timebank"
    verbose_name = "Timebank"

    def ready(self) -> None:
        from ginnel.communities.setup import on_community_created
        from ginnel.timebank.services import categories_seed

        # A new community starts with the default skill taxonomy its members pick from.
        on_community_created(categories_seed)
