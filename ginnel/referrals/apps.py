from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "ginnel.referrals"
    label = "referrals"
    verbose_name = "Social prescribing referrals"

    def ready(self) -> None:
        from ginnel.communities.setup import on_community_created
        from ginnel.referrals.services import referrals_seed

        # A new community starts with the coded reasons and the shipped questionnaires.
        on_community_created(referrals_seed)

        # Coordinators' and link workers' pages, linked from a person's roles page.
        from ginnel.communities.roles_page import on_roles_page
        from ginnel.referrals.roles_page import referrals_roles_links

        on_roles_page(referrals_roles_links)
