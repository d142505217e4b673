from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "ginnel.network"
    label = "network"
    verbose_name = "Network measures"
