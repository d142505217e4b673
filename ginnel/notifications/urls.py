"""Pages under ``/c/<community>/notifications/``: each area keeps its own list."""

from ginnel.notifications import urls_failed, urls_inbox, urls_preferences

app_name = "notifications"

urlpatterns = [
    *urls_inbox.urlpatterns,
    *urls_preferences.urlpatterns,
    *urls_failed.urlpatterns,
]
