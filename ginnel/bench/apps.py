from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "ginnel.bench"
    label = "bench"
    verbose_name = "Benchmarks"
