from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

handler403 = "ginnel.web.views.permission_denied"

urlpatterns = [
    path("admin/", admin.site.urls),
    # Browsers that ask for /favicon.ico without reading the page's <link rel="icon">.
    path("favicon.ico", RedirectView.as_view(url=static("ginnel/favicon.ico"), permanent=True)),
    path("c/<slug:community>/timebank/", include("ginnel.timebank.urls")),
    path("c/<slug:community>/network/", include("ginnel.network.urls")),
    path("c/<slug:community>/suggestions/", include("ginnel.matching.urls")),
    path("c/<slug:community>/directory/", include("ginnel.directory.urls")),
    path("c/<slug:community>/referrals/", include("ginnel.referrals.urls")),
    path("c/<slug:community>/notifications/", include("ginnel.notifications.urls")),
    path("c/<slug:community>/my-data/", include("ginnel.audit.urls")),
    path("notifications/", include("ginnel.notifications.urls_public")),
    path("api/oruk/<slug:community>/", include("ginnel.directory.api")),
    path("api/fhir/<slug:community>/", include("ginnel.referrals.urls_fhir")),
    path("c/<slug:community>/", include("ginnel.people.urls")),
    path("c/<slug:community>/", include("ginnel.communities.urls")),
    path("", include("ginnel.web.urls")),
]
