from ginnel.directory.views import editing, events, saved, search

app_name = "directory"

urlpatterns = [
    *search.urlpatterns,
    *saved.urlpatterns,
    *editing.urlpatterns,
    *events.urlpatterns,
]
