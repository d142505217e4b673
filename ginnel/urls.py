from django.contrib import admin
from django.urls import include, path

handler403 = "ginnel.web.views.permission_denied"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("c/<slug:community>/timebank/", include("ginnel.timebank.urls")),
    path("c/<slug:community>/network/", include("ginnel.network.urls")),
    path("c/<slug:community>/suggestions/", include("ginnel.matching.urls")),
    path("c/<slug:community>/directory/", include("ginnel.directory.urls")),
    path("api/oruk/<slug:community>/", include("ginnel.directory.api")),
    path("c/<slug:community>/", include("ginnel.people.urls")),
    path("c/<slug:community>/", include("ginnel.communities.urls")),
    path("", include("ginnel.web.urls")),
]
