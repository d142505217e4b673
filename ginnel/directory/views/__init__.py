"""The directory's pages, one module per topic, each with its own ``urlpatterns``."""
