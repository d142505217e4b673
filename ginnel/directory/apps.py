from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "ginnel.directory"
    label = "directory"
    verbose_name = "Directory"

    def ready(self) -> None:
        # Services, groups and events become suggestions beside people (see matching.py).
        from ginnel.directory.matching import register_sources

        register_sources()
