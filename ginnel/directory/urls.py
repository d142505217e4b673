from ginnel.directory.views import editing, events, saved, search, themes

app_name = "directory"

urlpatterns = [
    *search.urlpatterns,
    *saved.urlpatterns,
    *editing.urlpatterns,
    *events.urlpatterns,
    *themes.urlpatterns,
]
