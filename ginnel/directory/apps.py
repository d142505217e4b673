from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "ginnel.directory"
    label = "directory"
    verbose_name = "Directory"

    def ready(self) -> None:
        # Services, groups and events become suggestions beside people (see matching.py).
        from ginnel.directory.matching import register_sources

        register_sources()

        # Entries due for review, on the home page of their editors and coordinators.
        from ginnel.communities.waiting import on_waiting
        from ginnel.directory.waiting import directory_waiting

        on_waiting(directory_waiting)

        # The organisations an editor edits for, linked from their roles page.
        from ginnel.communities.roles_page import on_roles_page
        from ginnel.directory.roles_page import directory_roles_links

        on_roles_page(directory_roles_links)

        # What the directory tells editors and coordinators (notifications.py).
        from ginnel.directory.notifications import register_kinds

        register_kinds()

        # The text index outlives migrations that rebuild the services table (search_index.py).
        from django.db.models.signals import post_migrate

        from ginnel.directory import search_index

        post_migrate.connect(search_index.after_migrate, sender=self)
