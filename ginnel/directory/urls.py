from ginnel.directory.views import editing, events, search

app_name = "directory"

urlpatterns = [*search.urlpatterns, *editing.urlpatterns, *events.urlpatterns]
