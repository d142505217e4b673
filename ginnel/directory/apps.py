from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "ginnel.directory"
    label = "directory"
    verbose_name = "Directory"
