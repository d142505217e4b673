from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "ginnel.referrals"
    label = "referrals"
    verbose_name = "Social prescribing referrals"

    def ready(self) -> None:
        from ginnel.communities.setup import on_community_created
        from ginnel.network.graph import register_source
        from ginnel.referrals.services import referrals_seed
        from ginnel.referrals.ties import EngagedReferrals

        # A new community starts with the coded reasons and the shipped questionnaires.
        on_community_created(referrals_seed)

        # Letters to referrers are emailed as their log entries are written.
        from ginnel.referrals.letters import letters_connect

        letters_connect()

        # Coordinators' and link workers' pages, linked from a person's roles page.
        from ginnel.communities.roles_page import on_roles_page
        from ginnel.referrals.roles_page import referrals_roles_links

        on_roles_page(referrals_roles_links)
        # A connection the person went to is a tie in the network measures.
        register_source(EngagedReferrals())

        # Questionnaires for the person to answer, new cases for link workers, on the home page.
        from ginnel.communities.waiting import on_waiting
        from ginnel.referrals.waiting import referrals_waiting

        on_waiting(referrals_waiting)

        # What referrals tell link workers, coordinators and the person (notifications.py).
        from ginnel.referrals.notifications import register_kinds

        register_kinds()
