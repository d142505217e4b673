from ginnel.directory.views import editing, events, person_organisations, saved, search, themes

app_name = "directory"

urlpatterns = [
    *search.urlpatterns,
    *saved.urlpatterns,
    *editing.urlpatterns,
    *events.urlpatterns,
    *themes.urlpatterns,
    *person_organisations.urlpatterns,
]
